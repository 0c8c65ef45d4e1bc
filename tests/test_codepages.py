"""The code page of a file that is not Unicode is chosen right (bulkprep.codepages, through read_csv).

Each locale's file is written here, as Excel's plain "CSV" writes it in that Windows locale (and as
Mac Excel writes MacRoman): a header in the locale's language, then names, cities, emails and phones.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest
from growth import compare_costs
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep import read_changes, read_csv, read_info
from bulkprep.cli import main
from bulkprep.codepages import (
    CODE_PAGES,
    SAMPLE_BYTES,
    CodePageGuess,
    decode_code_page,
    guess_code_page,
    line_code_page,
)
from bulkprep.stream.chunks import ChunkedRead, read_chunks

# name -> (delimiter, header, rows): what Excel's plain "CSV" holds in each Windows locale
SAMPLES: dict[str, tuple[str, list[str], list[list[str]]]] = {
    "polish": (
        ";",
        ["Imię", "Nazwisko", "Miasto", "E-mail", "Telefon"],
        [
            ["Łukasz", "Żak", "Łódź", "lukasz.zak@example.pl", "+48 42 123 45 67"],
            ["Małgorzata", "Wójcik", "Kraków", "m.wojcik@example.pl", "+48 12 345 67 89"],
            ["Paweł", "Kowalczyk", "Wrocław", "pawel@example.pl", "601 234 567"],
            ["Agnieszka", "Dąbrowska", "Gdańsk", "aga.d@example.pl", "+48 58 111 22 33"],
            ["Grzegorz", "Wiśniewski", "Poznań", "g.wisniewski@example.pl", ""],
            ["Katarzyna", "Zielińska", "Szczecin", "kasia@example.pl", "502 111 222"],
            ["Jerzy", "Kamiński", "Białystok", "jerzy@example.pl", ""],
            ["Zofia", "Woźniak", "Częstochowa", "zofia.w@example.pl", "+48 34 555 66 77"],
        ],
    ),
    "czech": (
        ";",
        ["Jméno", "Příjmení", "Město", "E-mail", "Telefon"],
        [
            ["Jiří", "Dvořák", "Praha", "jiri.dvorak@example.cz", "+420 602 123 456"],
            ["Tereza", "Černá", "Brno", "tereza@example.cz", "+420 541 111 222"],
            ["Tomáš", "Novák", "Plzeň", "tomas.novak@example.cz", ""],
            ["Lucie", "Kučerová", "Ostrava", "lucie.k@example.cz", "777 888 999"],
            ["Petr", "Němec", "České Budějovice", "petr@example.cz", ""],
            ["Kateřina", "Růžičková", "Hradec Králové", "katka@example.cz", "+420 495 000 111"],
            ["Martin", "Procházka", "Ústí nad Labem", "martin.p@example.cz", ""],
        ],
    ),
    "hungarian": (
        ";",
        ["Vezetéknév", "Keresztnév", "Város", "E-mail", "Telefonszám"],
        [
            ["Szűcs", "Lőrinc", "Győr", "lorinc.szucs@example.hu", "+36 96 123 456"],
            ["Kovács", "Erzsébet", "Budapest", "erzsi@example.hu", "+36 1 234 5678"],
            ["Kőszegi", "Ödön", "Pécs", "odon.k@example.hu", ""],
            ["Bíró", "Zsófia", "Debrecen", "zsofia@example.hu", "+36 52 111 222"],
            ["Fűzfa", "Gergő", "Székesfehérvár", "gergo@example.hu", ""],
            ["Tóth", "Ildikó", "Miskolc", "ildiko.toth@example.hu", "+36 46 333 444"],
            ["Erdős", "Bence", "Szőny", "bence@example.hu", ""],
        ],
    ),
    "turkish": (
        ";",
        ["Ad", "Soyad", "Şehir", "E-posta", "Telefon"],
        [
            ["Ayşe", "Yılmaz", "İstanbul", "ayse.yilmaz@example.com.tr", "+90 212 555 12 34"],
            ["Mehmet", "Öztürk", "Ankara", "mehmet@example.com.tr", "+90 312 444 55 66"],
            ["Fatma", "Şahin", "İzmir", "fatma.sahin@example.com.tr", ""],
            ["Mustafa", "Çelik", "Bursa", "m.celik@example.com.tr", "0532 111 22 33"],
            ["Emine", "Doğan", "Eskişehir", "emine@example.com.tr", ""],
            ["Ahmet", "Kılıç", "Muğla", "ahmet.kilic@example.com.tr", "+90 252 000 11 22"],
        ],
    ),
    "russian": (
        ";",
        ["Имя", "Фамилия", "Город", "Эл. почта", "Телефон"],
        [
            ["Иван", "Иванов", "Москва", "ivanov@example.ru", "+7 495 123-45-67"],
            ["Мария", "Смирнова", "Санкт-Петербург", "maria@example.ru", "+7 812 765-43-21"],
            ["Алексей", "Кузнецов", "Новосибирск", "alexey.k@example.ru", ""],
            ["Ольга", "Попова", "Екатеринбург", "olga@example.ru", "8 (343) 222-33-44"],
            ["Дмитрий", "Соколов", "Казань", "dmitry@example.ru", ""],
            ["Наталья", "Лебедева", "Нижний Новгород", "natalya@example.ru", "+7 831 555-66-77"],
        ],
    ),
    "ukrainian": (
        ";",
        ["Ім'я", "Прізвище", "Місто", "Ел. пошта", "Телефон"],
        [
            ["Олександр", "Шевченко", "Київ", "o.shevchenko@example.ua", "+380 44 123 4567"],
            ["Євгенія", "Бондаренко", "Львів", "yevheniia@example.ua", "+380 32 765 4321"],
            ["Андрій", "Коваленко", "Харків", "andrii@example.ua", ""],
            ["Ірина", "Ткаченко", "Одеса", "iryna.t@example.ua", "+380 48 222 3344"],
            ["Юрій", "Мельник", "Дніпро", "yurii@example.ua", ""],
        ],
    ),
    "bulgarian": (
        ";",
        ["Име", "Фамилия", "Град", "Имейл", "Телефон"],
        [
            ["Георги", "Димитров", "София", "georgi@example.bg", "+359 2 123 4567"],
            ["Мария", "Петрова", "Пловдив", "maria.p@example.bg", "+359 32 765 432"],
            ["Иван", "Тодоров", "Варна", "ivan.t@example.bg", ""],
            ["Елена", "Стоянова", "Бургас", "elena@example.bg", "+359 56 222 333"],
            ["Стефан", "Ангелов", "Русе", "stefan@example.bg", ""],
        ],
    ),
    "greek": (
        ";",
        ["Όνομα", "Επώνυμο", "Πόλη", "Email", "Τηλέφωνο"],
        [
            ["Γιώργος", "Παπαδόπουλος", "Αθήνα", "g.papadopoulos@example.gr", "+30 210 123 4567"],
            ["Μαρία", "Παπαδοπούλου", "Θεσσαλονίκη", "maria@example.gr", "+30 2310 765 432"],
            ["Δημήτρης", "Νικολάου", "Πάτρα", "dimitris@example.gr", ""],
            ["Ελένη", "Γεωργίου", "Ηράκλειο", "eleni.g@example.gr", "+30 2810 222 333"],
            ["Κωνσταντίνος", "Ιωάννου", "Λάρισα", "kostas@example.gr", ""],
            ["Αικατερίνη", "Οικονόμου", "Βόλος", "katerina@example.gr", "+30 24210 55 666"],
        ],
    ),
    "korean": (
        ",",
        ["이름", "성", "도시", "이메일", "전화번호"],
        [
            ["민준", "김", "서울", "minjun.kim@example.kr", "+82 2-123-4567"],
            ["서연", "이", "부산", "seoyeon@example.kr", "010-1234-5678"],
            ["지훈", "박", "인천", "jihoon.park@example.kr", ""],
            ["수빈", "최", "대구", "subin@example.kr", "+82 53-765-4321"],
            ["현우", "정", "대전", "hyunwoo@example.kr", ""],
            ["예은", "강", "광주", "yeeun.kang@example.kr", "010-9876-5432"],
        ],
    ),
    "chinese_simplified": (
        ",",
        ["姓名", "城市", "电子邮件", "手机号码", "备注"],
        [
            ["张伟", "北京", "zhangwei@example.cn", "+86 138 0013 8000", "会员"],
            ["王芳", "上海", "wangfang@example.cn", "139 1234 5678", ""],
            ["李娜", "广州", "lina@example.cn", "", "新用户"],
            ["刘洋", "深圳", "liuyang@example.cn", "+86 135 0000 1111", "老客户"],
            ["陈静", "杭州", "chenjing@example.cn", "", ""],
            ["杨磊", "成都", "yanglei@example.cn", "186 2222 3333", "已验证"],
            ["赵敏", "南京", "zhaomin@example.cn", "", "会员"],
        ],
    ),
    "chinese_traditional": (
        ",",
        ["姓名", "城市", "電子郵件", "手機號碼", "備註"],
        [
            ["陳志明", "台北", "chen.zm@example.tw", "+886 2 2345 6789", "會員"],
            ["林美玲", "高雄", "meiling@example.tw", "0912 345 678", ""],
            ["黃建國", "台中", "huang@example.tw", "", "新用戶"],
            ["張淑芬", "台南", "shufen@example.tw", "+886 6 222 3333", "老客戶"],
            ["李家豪", "新竹", "jiahao@example.tw", "", ""],
            ["王雅婷", "桃園", "yating@example.tw", "0933 111 222", "已驗證"],
        ],
    ),
    "japanese": (
        ",",
        ["氏名", "フリガナ", "都市", "メールアドレス", "電話番号"],
        [
            ["佐藤太郎", "サトウタロウ", "東京", "taro.sato@example.jp", "+81 3-1234-5678"],
            ["鈴木花子", "スズキハナコ", "大阪", "hanako@example.jp", "090-1234-5678"],
            ["高橋健", "タカハシケン", "横浜", "ken.t@example.jp", ""],
            ["田中美咲", "タナカミサキ", "名古屋", "misaki@example.jp", "+81 52-765-4321"],
            ["渡辺翔", "ワタナベショウ", "札幌", "sho@example.jp", ""],
            ["伊藤さくら", "イトウサクラ", "福岡", "sakura.ito@example.jp", "080-2222-3333"],
        ],
    ),
    "hebrew": (
        ",",
        ["שם פרטי", "שם משפחה", "עיר", "דואל", "טלפון"],
        [
            ["דוד", "כהן", "תל אביב", "david.cohen@example.co.il", "+972 3-123-4567"],
            ["שרה", "לוי", "ירושלים", "sarah@example.co.il", "052-123-4567"],
            ["יוסף", "מזרחי", "חיפה", "yosef@example.co.il", ""],
            ["רחל", "פרץ", "באר שבע", "rachel.p@example.co.il", "+972 8-765-4321"],
            ["משה", "ביטון", "נתניה", "moshe@example.co.il", ""],
        ],
    ),
    "arabic": (
        ",",
        ["الاسم", "اسم العائلة", "المدينة", "البريد الإلكتروني", "الهاتف"],
        [
            ["محمد", "العلي", "الرياض", "mohammed@example.sa", "+966 11 123 4567"],
            ["فاطمة", "حسن", "القاهرة", "fatima@example.eg", "+20 2 2345 6789"],
            ["أحمد", "منصور", "دبي", "ahmed.m@example.ae", ""],
            ["ليلى", "خليل", "عمّان", "layla@example.jo", "+962 6 555 6666"],
            ["يوسف", "إبراهيم", "الدار البيضاء", "youssef@example.ma", ""],
        ],
    ),
    "thai": (
        ",",
        ["ชื่อ", "นามสกุล", "เมือง", "อีเมล", "โทรศัพท์"],
        [
            ["สมชาย", "ใจดี", "กรุงเทพมหานคร", "somchai@example.co.th", "+66 2 123 4567"],
            ["สมหญิง", "รักไทย", "เชียงใหม่", "somying@example.co.th", "081 234 5678"],
            ["ประเสริฐ", "วงศ์สวัสดิ์", "ภูเก็ต", "prasert@example.co.th", ""],
            ["มาลี", "ศรีสุข", "ขอนแก่น", "malee@example.co.th", "+66 43 765 432"],
            ["วิชัย", "ทองคำ", "หาดใหญ่", "wichai@example.co.th", ""],
        ],
    ),
    "vietnamese": (
        ",",
        ["Họ và tên", "Thành phố", "Email", "Điện thoại"],
        [
            ["Nguyễn Văn An", "Hà Nội", "an.nguyen@example.vn", "+84 24 3123 4567"],
            ["Trần Thị Bích", "Thành phố Hồ Chí Minh", "bich.tran@example.vn", "090 123 4567"],
            ["Lê Hoàng Nam", "Đà Nẵng", "nam.le@example.vn", ""],
            ["Phạm Minh Đức", "Hải Phòng", "duc.pham@example.vn", "+84 225 765 432"],
            ["Hoàng Thu Trang", "Cần Thơ", "trang@example.vn", ""],
            ["Vũ Quốc Trường", "Huế", "truong.vu@example.vn", "091 222 3333"],
        ],
    ),
    "baltic": (
        ";",
        ["Vardas", "Pavardė", "Miestas", "El. paštas", "Telefonas"],
        [
            ["Jonas", "Kazlauskas", "Vilnius", "jonas@example.lt", "+370 5 212 3456"],
            ["Rūta", "Petrauskienė", "Kaunas", "ruta.p@example.lt", "+370 37 765 432"],
            ["Žydrūnas", "Žukauskas", "Klaipėda", "zydrunas@example.lt", ""],
            ["Aušra", "Šimkutė", "Šiauliai", "ausra@example.lt", "+370 41 222 333"],
            ["Jānis", "Bērziņš", "Rīga", "janis.berzins@example.lv", "+371 6712 3456"],
            ["Kristīne", "Kalniņa", "Liepāja", "kristine@example.lv", ""],
        ],
    ),
    "french": (
        ";",
        ["Prénom", "Nom", "Ville", "Courriel", "Téléphone"],
        [
            ["Hélène", "Lefèvre", "Besançon", "helene@example.fr", "+33 3 81 12 34 56"],
            ["François", "Dupré", "Orléans", "francois@example.fr", "06 12 34 56 78"],
            ["Gaëlle", "Benoît", "Nîmes", "gaelle@example.fr", ""],
            ["Jérôme", "Mercier", "Saint-Étienne", "jerome@example.fr", "+33 4 77 00 11 22"],
            ["Loïc", "Lemaître", "Angoulême", "loic@example.fr", ""],
            ["Chloé", "Garçon", "Montréal", "chloe@example.ca", "+1 514 555 0199"],
        ],
    ),
    "german": (
        ";",
        ["Vorname", "Nachname", "Ort", "E-Mail", "Telefon"],
        [
            ["Jürgen", "Müller", "München", "juergen@example.de", "+49 89 123456"],
            ["Käthe", "Weiß", "Köln", "kaethe@example.de", "0221 765432"],
            ["Björn", "Schäfer", "Düsseldorf", "bjoern@example.de", ""],
            ["Sören", "Groß", "Nürnberg", "soeren@example.de", "+49 911 22 33 44"],
            ["Ursula", "Hößl", "Graz", "ursula@example.at", ""],
        ],
    ),
    "spanish": (
        ";",
        ["Nombre", "Apellidos", "Ciudad", "Correo electrónico", "Teléfono"],
        [
            ["José", "García Núñez", "Málaga", "jose@example.es", "+34 952 12 34 56"],
            ["María", "Peña Muñoz", "A Coruña", "maria@example.es", "612 345 678"],
            ["Iñaki", "Ibáñez", "Logroño", "inaki@example.es", ""],
            ["Begoña", "Martínez", "Cádiz", "begona@example.es", "+34 956 00 11 22"],
            ["Andrés", "Gutiérrez", "León", "andres@example.es", ""],
        ],
    ),
    "nordic": (
        ";",
        ["Förnamn", "Efternamn", "Ort", "E-post", "Telefon"],
        [
            ["Åsa", "Björk", "Göteborg", "asa@example.se", "+46 31 123 45 67"],
            ["Søren", "Jørgensen", "Århus", "soren@example.dk", "+45 86 12 34 56"],
            ["Märta", "Lindström", "Västerås", "marta@example.se", ""],
            ["Ærø", "Kjær", "Ålborg", "aero@example.dk", "+45 98 76 54 32"],
            ["Øystein", "Sæther", "Tromsø", "oystein@example.no", ""],
        ],
    ),
    "portuguese_italian": (
        ";",
        ["Nome", "Cognome", "Città", "Email", "Telefono"],
        [
            ["João", "Conceição", "São Paulo", "joao@example.br", "+55 11 2345 6789"],
            ["Inês", "Simões", "Évora", "ines@example.pt", "+351 266 123 456"],
            ["Niccolò", "Forlì", "Cantù", "niccolo@example.it", ""],
            ["Gonçalo", "Magalhães", "Guimarães", "goncalo@example.pt", "912 345 678"],
            ["Lucía", "D’Alò", "Perù", "lucia@example.it", ""],
        ],
    ),
}

# The code page each sample is written in by Windows Excel in its locale (MacRoman: Mac Excel).
CODE_PAGE_OF = {
    "polish": "cp1250",
    "czech": "cp1250",
    "hungarian": "cp1250",
    "turkish": "cp1254",
    "russian": "cp1251",
    "ukrainian": "cp1251",
    "bulgarian": "cp1251",
    "greek": "cp1253",
    "korean": "cp949",
    "chinese_simplified": "gbk",
    "chinese_traditional": "cp950",
    "japanese": "cp932",
    "hebrew": "cp1255",
    "arabic": "cp1256",
    "thai": "cp874",
    "vietnamese": "cp1258",
    "baltic": "cp1257",
    "french": "cp1252",
    "german": "cp1252",
    "spanish": "cp1252",
    "nordic": "cp1252",
    "portuguese_italian": "cp1252",
}
MAC_SAMPLES = ("french", "german", "spanish", "nordic", "portuguese_italian")


def in_code_page(text: str, codec: str) -> str:
    """``text`` as the code page holds it: Windows-1258 keeps Vietnamese tone marks as combining marks.

    Each character the code page lacks is decomposed, and its base letter recomposed with the first
    mark when the code page has that (``ễ`` is ``ê`` and a combining tilde), as Windows converts it.
    """
    out = []
    for char in text:
        try:
            char.encode(codec)
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            for mark in marks:
                composed = unicodedata.normalize("NFC", base + mark)
                if len(composed) == 1 and _encodes(composed, codec):
                    base = composed
                    marks.remove(mark)
                    break
            out.append(base + "".join(marks))
        else:
            out.append(char)
    return "".join(out)


def _encodes(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def sample_text(name: str, codec: str) -> str:
    """The sample as the CSV text of a file (CRLF line breaks, as Excel writes), in ``codec``'s form."""
    delimiter, header, rows = SAMPLES[name]
    lines = [delimiter.join(header), *(delimiter.join(row) for row in rows)]
    return in_code_page("\r\n".join(lines) + "\r\n", codec)


def write_sample(folder: Path, name: str, codec: str) -> tuple[Path, str]:
    text = sample_text(name, codec)
    path = folder / f"{name}_{codec}.csv"
    path.write_bytes(text.encode(codec))
    return path, text


def cells(text: str, delimiter: str) -> list[list[str]]:
    return [line.split(delimiter) for line in text.splitlines()]


CASES = [(name, CODE_PAGE_OF[name]) for name in SAMPLES] + [(name, "mac_roman") for name in MAC_SAMPLES]


# --- each locale's file reads as written ------------------------------------------------------------


@pytest.mark.parametrize(("name", "codec"), CASES, ids=[f"{name}-{codec}" for name, codec in CASES])
def test_each_locale_file_reads_as_its_original_text(tmp_path: Path, name: str, codec: str) -> None:
    path, text = write_sample(tmp_path, name, codec)
    df = read_csv(path)
    delimiter = SAMPLES[name][0]
    header, *rows = cells(text, delimiter)
    assert list(df.columns) == ["bulk_row", *header]
    assert df.drop(columns="bulk_row").fillna("").to_numpy().tolist() == rows
    assert read_info(df).encoding == codec
    assert read_info(df).delimiter == delimiter


@pytest.mark.parametrize(("name", "codec"), CASES, ids=[f"{name}-{codec}" for name, codec in CASES])
def test_the_guess_names_the_code_page_and_a_runner_up_that_reads_otherwise(name: str, codec: str) -> None:
    data = sample_text(name, codec).encode(codec)
    guess = guess_code_page(data)
    assert guess.codec == codec
    assert guess.runner_up is not None
    assert guess.runner_up != codec
    assert data.decode(guess.runner_up) != data.decode(codec)


@pytest.mark.parametrize(
    "name", ["polish", "greek", "korean", "russian", "chinese_traditional", "japanese", "hebrew", "thai"]
)
def test_the_files_that_came_out_garbled_are_read_with_confidence(tmp_path: Path, name: str) -> None:
    path, _ = write_sample(tmp_path, name, CODE_PAGE_OF[name])
    assert guess_code_page(path.read_bytes()).confident
    assert read_info(read_csv(path)).encoding_note is None  # nothing to say: the choice is clear


def test_the_polish_file_is_no_longer_read_as_windows_1252(tmp_path: Path) -> None:
    path, _ = write_sample(tmp_path, "polish", "cp1250")
    df = read_csv(path)
    assert df.loc[0, ["Imię", "Nazwisko", "Miasto"]].tolist() == ["Łukasz", "Żak", "Łódź"]
    values = df.drop(columns="bulk_row").fillna("").to_numpy().ravel().tolist()
    assert not any(mark in value for value in values for mark in "£¯³¹¿")
    # The choice can still be forced: the code page given is used as it is.
    forced = read_csv(path, encoding="cp1252")
    assert forced.loc[0, "Imiê"] == "£ukasz"
    assert read_info(forced).encoding == "cp1252"


def test_a_windows_1252_file_changes_nothing(tmp_path: Path) -> None:
    for name in ("french", "german", "spanish", "nordic", "portuguese_italian"):
        path, text = write_sample(tmp_path, name, "cp1252")
        info = read_info(read_csv(path))
        assert (info.encoding, info.encoding_note) == ("cp1252", None)
        assert guess_code_page(text.encode("cp1252")) == CodePageGuess(
            "cp1252", True, guess_code_page(text.encode("cp1252")).runner_up
        )


def test_the_vietnamese_file_keeps_the_tone_marks_windows_1258_writes_as_combining_marks(
    tmp_path: Path,
) -> None:
    path, _ = write_sample(tmp_path, "vietnamese", "cp1258")
    name = read_csv(path).loc[0, in_code_page("Họ và tên", "cp1258")]
    assert name == "Nguyê\u0303n Văn An"
    assert unicodedata.normalize("NFC", name) == "Nguyễn Văn An"


# --- a close call is said, with the way to force the other -------------------------------------------


def close_call() -> bytes:
    """Three Baltic rows in Windows-1257: the Western reading (``Petrauskienë``, ``Rîga``) is close behind."""
    delimiter, header, rows = SAMPLES["baltic"]
    lines = [delimiter.join(line) for line in (header, rows[0], rows[1], rows[4])]
    return ("\r\n".join(lines) + "\r\n").encode("cp1257")


def test_a_close_call_is_read_with_the_best_guess_and_noted() -> None:
    data = close_call()
    guess = guess_code_page(data)
    assert guess == CodePageGuess("cp1257", False, "cp1252")
    df = read_csv(io.BytesIO(data))
    info = read_info(df)
    assert info.encoding == "cp1257"
    assert df["Pavardė"].tolist()[1] == "Petrauskienė"
    assert info.encoding_note == guess.note
    assert info.encoding_note is not None
    assert "Windows-1257 (Baltic)" in info.encoding_note
    assert "Windows-1252 (Western European)" in info.encoding_note
    assert "encoding='cp1252'" in info.encoding_note
    assert "--encoding cp1252" in info.encoding_note


def test_check_prints_the_note_with_what_it_found_out_about_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "baltic.csv"
    path.write_bytes(close_call())
    mapping = tmp_path / "mapping.json"
    mapping.write_text('{"recipient": "El. paštas", "profile": {"email": "El. paštas"}}', encoding="utf-8")
    main(["check", str(path), "--mapping", str(mapping), "--out", str(tmp_path / "out.csv")])
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(f"read {path}: 3 rows (cp1257, semicolon-delimited, the code page was guessed")
    assert "encoding='cp1252' (--encoding cp1252))" in first


def test_a_confident_guess_has_no_note() -> None:
    assert CodePageGuess("cp1251", True, "cp1252").note is None
    assert CodePageGuess("cp1252", False, None).note is None


# --- the lines of a UTF-8 file that are not UTF-8 --------------------------------------------------


def test_foreign_lines_of_a_utf8_file_are_read_in_the_code_page_they_clearly_fit() -> None:
    data = (
        "Imię;Nazwisko;Miasto\n".encode()
        + "Zoë;Kowalska;Kraków\n".encode()
        + "Łukasz;Żak;Łódź\n".encode("cp1250")  # a line a Polish Windows program appended
        + "Paweł;Wójcik;Wrocław\n".encode()
    )
    df = read_csv(io.BytesIO(data))
    assert df["Imię"].tolist() == ["Zoë", "Łukasz", "Paweł"]
    assert df["Miasto"].tolist() == ["Kraków", "Łódź", "Wrocław"]
    info = read_info(df)
    assert (info.encoding, info.repaired_lines) == ("utf-8", (3,))
    assert info.encoding_note == (
        "the lines not in UTF-8 were read as Windows-1250 (Central European), the code page they fit"
    )
    changes = read_changes(df)
    assert changes[["bulk_row", "column", "original", "normalized"]].to_dict("records")[0] == {
        "bulk_row": 3,
        "column": "Imię",
        "original": "\\xa3ukasz",
        "normalized": "Łukasz",
    }


def test_foreign_lines_stay_windows_1252_without_strong_evidence() -> None:
    data = "name,city\nZoë,Köln\n".encode() + "José,Málaga\n".encode("cp1252")
    df = read_csv(io.BytesIO(data))
    assert df["name"].tolist() == ["Zoë", "José"]
    assert read_info(df).encoding_note is None
    assert line_code_page(["Zoë;Köln".encode("cp1252")]) is None
    assert line_code_page(["Łukasz;Żak;Łódź".encode("cp1250")]) == "cp1250"
    assert line_code_page(["Иван;Москва".encode("cp1251")]) == "cp1251"


# --- Western names never change code page ------------------------------------------------------------

WESTERN_NAMES = [
    *[
        "José",
        "García",
        "Núñez",
        "Peña",
        "Muñoz",
        "Ibáñez",
        "Begoña",
        "Logroño",
        "Málaga",
        "Cádiz",
        "León",
        "Andrés",
    ],
    *[
        "Hélène",
        "François",
        "Gaëlle",
        "Jérôme",
        "Loïc",
        "Benoît",
        "Lefèvre",
        "Besançon",
        "Orléans",
        "Nîmes",
        "Angoulême",
        "Chloé",
    ],
    *["Zoë", "Noël", "Thérèse", "Cœur", "Françoise", "Élise", "Ève", "Mathéo"],
    *[
        "Jürgen",
        "Müller",
        "München",
        "Köln",
        "Weiß",
        "Käthe",
        "Björn",
        "Schäfer",
        "Düsseldorf",
        "Sören",
        "Groß",
        "Nürnberg",
        "Jäger",
    ],
    *[
        "Åsa",
        "Björk",
        "Göteborg",
        "Malmö",
        "Västerås",
        "Märta",
        "Lindström",
        "Linköping",
        "Örebro",
        "Jönköping",
    ],
    *[
        "Søren",
        "Jørgensen",
        "Århus",
        "Ærø",
        "Kjær",
        "Ålborg",
        "Øystein",
        "Sæther",
        "Tromsø",
        "Næstved",
        "Bodø",
    ],
    *[
        "João",
        "Conceição",
        "São",
        "Inês",
        "Simões",
        "Évora",
        "Gonçalo",
        "Magalhães",
        "Guimarães",
        "Estêvão",
        "Antônio",
        "Lourenço",
    ],
    *[
        "Niccolò",
        "Forlì",
        "Cantù",
        "Perù",
        "Lucía",
        "D’Alò",
        "Città",
        "Nicolò",
        "Mercè",
        "O’Connor",
        "Siobhán",
        "Seán",
        "Pádraig",
    ],
    *["Renée", "Zoé", "Ana", "Eva", "Anna", "Berg", "Paris", "Lyon", "Madrid", "Roma"],
]


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(WESTERN_NAMES), st.sampled_from(WESTERN_NAMES), st.sampled_from(WESTERN_NAMES)
        ),
        min_size=1,
        max_size=30,
    ),
    delimiter=st.sampled_from([";", ",", "\t"]),
)
def test_western_european_names_in_windows_1252_stay_windows_1252(
    rows: list[tuple[str, str, str]], delimiter: str
) -> None:
    lines = [delimiter.join(["Nom", "Prénom", "Ville", "E-mail"])] + [
        delimiter.join([*row, f"user{index}@example.org"]) for index, row in enumerate(rows)
    ]
    text = "\r\n".join(lines) + "\r\n"
    data = text.encode("cp1252")
    guess = guess_code_page(data)
    assert (guess.codec, guess.confident) == ("cp1252", True)
    df = read_csv(io.BytesIO(data))
    assert read_info(df).encoding == "cp1252"
    assert df.drop(columns="bulk_row").to_numpy().tolist() == [line.split(delimiter) for line in lines[1:]]


# --- bounded work, once per file -----------------------------------------------------------------------


def test_the_guess_reads_a_bounded_sample_and_finds_late_non_ascii_lines() -> None:
    late = "Łukasz;Żak;Łódź\r\n".encode("cp1250")
    data = b"a;b;c\r\n" + b"x;y;z\r\n" * (SAMPLE_BYTES // 7 + 10) + late * 3
    assert data[:SAMPLE_BYTES].isascii()
    assert guess_code_page(data).codec == "cp1250"
    assert read_csv(io.BytesIO(data))["a"].tolist()[-1] == "Łukasz"


def test_a_byte_beyond_the_sample_that_the_guess_cannot_decode_is_scored_with_the_whole_file() -> None:
    head = "Hélène;Köln\r\n".encode("cp1252") * (SAMPLE_BYTES // 13 + 10)
    data = head + b"AB\x81CD;x\r\n"  # a byte Windows-1252 leaves undefined, far beyond the sample
    assert guess_code_page(data).codec == "cp1252"
    text, guess = decode_code_page(data)
    assert guess.codec == "latin-1"
    assert text.endswith("AB\x81CD;x\r\n")


def test_a_large_file_is_guessed_quickly() -> None:
    # 40 MB of Greek names: the guess scores a bounded sample, so the time does not grow with the file:
    # ten times the bytes costs about the CPU time of 4 MB (reading them all would cost 10x).
    line = sample_text("greek", "cp1253").encode("cp1253")
    small, large = line * 10_000, line * 100_000
    small_cost, large_cost = compare_costs(lambda: guess_code_page(small), lambda: guess_code_page(large))
    assert large_cost < 4 * small_cost, (small_cost, large_cost)
    assert guess_code_page(large).codec == "cp1253"


def test_every_code_page_is_a_codec_with_a_label() -> None:
    for codec, page in CODE_PAGES.items():
        assert page.codec == codec
        assert "a".encode(codec) == b"a"
        assert page.label


# --- read a chunk at a time ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["polish", "greek", "japanese", "korean", "chinese_simplified", "vietnamese"]
)
def test_a_file_read_in_chunks_is_read_in_one_code_page_as_a_whole(tmp_path: Path, name: str) -> None:
    path, _ = write_sample(tmp_path, name, CODE_PAGE_OF[name])
    whole = read_csv(path)
    progress = ChunkedRead()
    chunks = list(read_chunks(path, chunk_rows=1, progress=progress))
    assert len(chunks) == len(whole)
    assert {chunk.info.encoding for chunk in chunks} == {CODE_PAGE_OF[name]}
    for chunk in chunks:
        assert list(chunk.frame.columns) == list(whole.columns)
    streamed = [row for chunk in chunks for row in chunk.frame.fillna("").to_numpy().tolist()]
    assert streamed == whole.fillna("").to_numpy().tolist()
    assert progress.info is not None
    assert progress.info.encoding_note is None


def test_the_note_of_a_file_read_in_chunks_is_the_files(tmp_path: Path) -> None:
    path = tmp_path / "baltic.csv"
    path.write_bytes(close_call())
    progress = ChunkedRead()
    chunks = list(read_chunks(path, chunk_rows=1, progress=progress))
    assert [chunk.info.encoding for chunk in chunks] == ["cp1257"] * 3
    assert progress.info is not None
    assert progress.info.encoding_note == read_info(read_csv(path)).encoding_note
    assert progress.info.encoding_note is not None

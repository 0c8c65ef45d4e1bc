"""Slovak and Czech files in Windows-1250 are read in it, whose Ď, č and ř Windows-1252 would show as
Ï, è and ø; Western files with ï and ø (Loïc, Søren, Øystein) stay Windows-1252."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bulkprep import read_csv, read_info
from bulkprep.codepages import guess_code_page

# A Slovak accounting export (Pohoda's address book): Ďurovič, Kováčová, Maďarsko.
SLOVAK = (
    "IČO;Firma;Meno;Priezvisko;E-mail;Mobil;Krajina;Dátum narodenia\r\n"
    "00151653;Ďurovič s.r.o.;Ján;Ďurovič;jan@example.sk;0903 123 456;Slovensko;14. 3. 1988\r\n"
    ";;Zuzana;Kováčová;zuzana@example.sk;+421 905 765 432;Slovensko;2. 11. 1975\r\n"
    ";;Petr;Dvořák;petr@example.cz;602 123 456;Česko;30. 6. 1990\r\n"
    ";;Gábor;Nagy;gabor@example.hu;06 30 123 4567;Maďarsko;5. 5. 1985\r\n"
    ";;Lukas;Huber;lukas@example.at;0664 123 4567;Rakúsko;21. 9. 1992\r\n"
    ";;Eva;Tóthová;eva@example.sk;;Slovensko;29. 2. 1996\r\n"
)
# Czech names and towns that start with Ř, Ď or Ť.
CZECH = (
    "Jméno;Příjmení;Obec\r\n"
    "Jiří;Říha;Řevnice\r\n"
    "Dana;Ďásková;Ťápkov\r\n"
    "Tomáš;Řezníček;Říčany\r\n"
    "Věra;Dvořáková;Čáslav\r\n"
)


@pytest.mark.parametrize("text", [SLOVAK, CZECH], ids=["slovak", "czech"])
def test_a_windows_1250_file_reads_as_written(tmp_path: Path, text: str) -> None:
    path = tmp_path / "adresar.csv"
    path.write_bytes(text.encode("cp1250"))
    frame = read_csv(path)
    assert read_info(frame).encoding == "cp1250"
    header, *rows = (line.split(";") for line in text.splitlines())
    assert list(frame.columns)[1:] == header
    assert frame.drop(columns="bulk_row").fillna("").to_numpy().tolist() == rows


def test_the_slovak_file_is_no_longer_read_with_western_letters(tmp_path: Path) -> None:
    path = tmp_path / "pohoda.csv"
    path.write_bytes(SLOVAK.encode("cp1250"))
    frame = read_csv(path)
    assert frame["Priezvisko"].tolist()[:3] == ["Ďurovič", "Kováčová", "Dvořák"]
    assert frame["Krajina"].tolist()[3] == "Maďarsko"
    assert guess_code_page(path.read_bytes()).codec == "cp1250"
    # Read as Windows-1252 by force, it is what the reader used to give.
    assert read_csv(path, encoding="cp1252")["Priezvisko"].tolist()[0] == "Ïuroviè"


# Western names with the letters the Windows-1250 evidence looks at: ï after a vowel, ø after a
# consonant or first (Danish and Norwegian), Ø before a consonant (Øystein, Østby, Ørjan).
WESTERN = [
    *("Loïc", "Anaïs", "Héloïse", "Moïse", "Zaïre", "Lluïsa", "Raïssa", "Noël", "Citroën"),
    *("Søren", "Jørgensen", "Bjørn", "Tromsø", "Bodø", "Øystein", "Østby", "Ørjan", "Ødegård"),
    *("Hjørring", "Kjær", "Sæther", "Ærø", "Åsa", "Mercè", "Niccolò", "Müller", "Pérez"),
    *("Ana", "Lyon", "Oslo", "Bergen"),
]


def test_western_names_with_i_diaeresis_and_o_slash_stay_windows_1252() -> None:
    chooser = random.Random(1250)
    moved = []
    for _ in range(3000):
        rows = [";".join(chooser.choice(WESTERN) for _ in range(3)) for _ in range(chooser.randint(1, 20))]
        data = ("Nom;Prénom;Ville\r\n" + "\r\n".join(rows) + "\r\n").encode("cp1252")
        guess = guess_code_page(data)
        if guess.codec != "cp1252":
            moved.append(rows)
    assert moved == []

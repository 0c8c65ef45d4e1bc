"""Bosnian, Croatian and Serbian Latin files in Windows-1250 are read in it, whose -ić and -ič names
Windows-1252 would show as -iæ and -iè; Western files with æ (Sæther, Kjær, Ærø) stay Windows-1252."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bulkprep import read_csv, read_info
from bulkprep.codepages import guess_code_page

# A gym's customer list from Sarajevo, and a CRM export from Belgrade and Zagreb.
BOSNIAN = (
    "Broj;Ime;Prezime;Email;Telefon;Newsletter;Zemlja\r\n"
    "K-1;Amra;Hodžić;amra@example.ba;061 123 456;da;Bosna i Hercegovina\r\n"
    "K-2;Emir;Begović;emir@example.ba;062 123 456;ne;BiH\r\n"
    "K-3;Lejla;Kovačević;lejla@example.ba;033 123 456;da;Bosna i Hercegovina\r\n"
    "K-4;Haris;Delić;haris@example.ba;061 765 432;ne;Bosna i Hercegovina\r\n"
    "K-5;Selma;Mujić;selma@example.ba;061 222 333;da;BiH\r\n"
    "K-6;Adnan;Softić;adnan@example.ba;061 444 555;ne;BiH\r\n"
    "K-7;Jasmin;Alić;jasmin@example.ba;061 666 777;da;Bosna i Hercegovina\r\n"
    "K-8;Ivan;Marić;ivan@example.ba;063 111 222;da;Hrvatska\r\n"
    "K-9;Tarik;Babić;tarik@example.ba;061 888 999;ne;BiH\r\n"
)
SERBIAN = (
    "Name,Email,City,Country,Stage\r\n"
    "Marko Petrović,marko@example.rs,Beograd,Srbija,Lead\r\n"
    "Nikola Đorđević,nikola@example.rs,Nis,Srbija,Won\r\n"
    "Ivana Stojanović,ivana@example.rs,Novi Sad,Srbija,Lead\r\n"
    "Stefan Ilić,stefan@example.rs,Beograd,Srbija,Lost\r\n"
    "Dragan Marković,dragan@example.rs,Kragujevac,Srbija,Won\r\n"
    "Jelena Jovanović,jelena@example.rs,Beograd,Srbija,Lead\r\n"
    "Milan Nikolić,milan@example.rs,Nis,Srbija,Lead\r\n"
    "Ana Popović,ana@example.rs,Subotica,Srbija,Won\r\n"
)
CROATIAN = "Ime;Prezime;Mjesto\r\nIvan;Marić;Split\r\nAna;Babić;Zadar\r\n"


@pytest.mark.parametrize("text", [BOSNIAN, SERBIAN, CROATIAN], ids=["bosnian", "serbian", "croatian"])
def test_a_south_slavic_windows_1250_file_reads_as_written(tmp_path: Path, text: str) -> None:
    path = tmp_path / "kupci.csv"
    path.write_bytes(text.encode("cp1250"))
    frame = read_csv(path)
    assert read_info(frame).encoding == "cp1250"
    delimiter = ";" if ";" in text else ","
    rows = [line.split(delimiter) for line in text.splitlines()[1:]]
    assert frame.drop(columns="bulk_row").to_numpy().tolist() == rows


def test_read_as_windows_1252_by_force_the_names_are_what_the_reader_used_to_give(tmp_path: Path) -> None:
    path = tmp_path / "kupci.csv"
    path.write_bytes(BOSNIAN.encode("cp1250"))
    assert read_csv(path, encoding="cp1252")["Prezime"].tolist()[:3] == ["Hodžiæ", "Begoviæ", "Kovaèeviæ"]


# Western names with æ inside a word or after a vowel, and è ending a word after other letters.
WESTERN = [
    *("Sæther", "Mæhle", "Bækkelund", "Kjær", "Ærø", "Næstved", "Læsø", "Hæstad", "Tæhle"),
    *("Ægir", "Sæunn", "Guðrún", "Sigurður", "Þórður", "Ævar", "Dæhlie", "Rædergård"),
    *("Mercè", "Hélène", "Adèle", "Thérèse", "Lefèvre", "Noël", "Søren", "Müller", "Pérez"),
    *("Ana", "Lyon", "Oslo", "Bergen", "Reykjavík"),
]


def test_western_names_with_ae_stay_windows_1252() -> None:
    chooser = random.Random(1252)
    moved = []
    for _ in range(3000):
        rows = [";".join(chooser.choice(WESTERN) for _ in range(3)) for _ in range(chooser.randint(1, 20))]
        data = ("Nom;Prénom;Ville\r\n" + "\r\n".join(rows) + "\r\n").encode("cp1252")
        if guess_code_page(data).codec != "cp1252":
            moved.append(rows)
    assert moved == []

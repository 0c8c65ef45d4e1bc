"""The countries of the three CRM-shaped generators: how each is spelled and how its numbers are written.

Plain data with no imports, so the hand-written script of ``bench_prepare.py`` can read a row's
country with a dict of the file's spellings (as an analyst would type it after a look at the file)
without loading numpy or pandas.

The number plans of the B2B and hand-typed files are written from the countries' published
numbering (area codes and lengths), as ``(calling code, trunk prefix, [(area code, subscriber
digits), ...])``: the national form is the trunk prefix, the area code and the subscriber's digits;
the international one drops the trunk prefix. Where a country has no trunk prefix (Denmark, Norway,
Spain...), the area code is part of the number everywhere. The wide file's mobiles are national
patterns, as people write them in each country.

Example:
    >>> B2B_SPELLINGS["Deutschland"], len(B2B_COUNTRIES), len(HANDTYPED_COUNTRIES), len(WIDE_COUNTRIES)
    ('DE', 19, 5, 14)
"""

from __future__ import annotations

from collections.abc import Mapping

_Plan = tuple[int, str, tuple[tuple[str, int], ...]]

# Region -> (spellings of the country, (calling code, trunk prefix, landline area codes and the
# number of subscriber digits after each)). Spellings repeat to make the common ones more frequent.
B2B_COUNTRIES: dict[str, tuple[tuple[str, ...], _Plan]] = {
    "DE": (("DE", "DEU", "Germany", "Deutschland", "GERMANY", "germany", "Deutschland", "Germany"),
           (49, "0", (("30", 8), ("89", 8), ("40", 8), ("69", 8), ("221", 7), ("711", 7)))),
    "AT": (("AT", "AUT", "Austria", "Österreich", "Oesterreich", "AUSTRIA"),
           (43, "0", (("1", 7), ("316", 6), ("512", 6), ("662", 6)))),
    "CH": (("CH", "CHE", "Switzerland", "Schweiz", "Suisse", "Svizzera", "SWITZERLAND"),
           (41, "0", (("44", 7), ("22", 7), ("31", 7), ("61", 7)))),
    "FR": (("FR", "FRA", "France", "FRANCE", "france", "La France"),
           (33, "0", (("14", 7), ("15", 7), ("47", 7), ("49", 7), ("56", 7)))),
    "BE": (("BE", "BEL", "Belgium", "Belgique", "België", "Belgien"),
           (32, "0", (("2", 7), ("3", 7), ("9", 7), ("4", 7)))),
    "NL": (("NL", "NLD", "Netherlands", "The Netherlands", "Nederland", "Holland"),
           (31, "0", (("20", 7), ("10", 7), ("70", 7), ("30", 7)))),
    "LU": (("LU", "LUX", "Luxembourg", "Luxemburg", "Lëtzebuerg"),
           (352, "", (("2", 7), ("4", 5)))),
    "GB": (("GB", "GBR", "UK", "U.K.", "United Kingdom", "Great Britain", "England", "UK", "uk"),
           (44, "0", (("20", 8), ("121", 7), ("161", 7), ("131", 7), ("113", 7)))),
    "IE": (("IE", "IRL", "Ireland", "Éire", "Republic of Ireland", "IRELAND"),
           (353, "0", (("1", 7), ("21", 7), ("91", 6)))),
    "ES": (("ES", "ESP", "Spain", "España", "Espana", "SPAIN"),
           (34, "", (("91", 7), ("93", 7), ("96", 7), ("95", 7)))),
    "PT": (("PT", "PRT", "Portugal", "PORTUGAL"),
           (351, "", (("21", 7), ("22", 7)))),
    "IT": (("IT", "ITA", "Italy", "Italia", "ITALY"),
           (39, "", (("06", 8), ("02", 8), ("011", 7), ("055", 7)))),
    "DK": (("DK", "DNK", "Denmark", "Danmark"),
           (45, "", (("33", 6), ("35", 6), ("86", 6), ("98", 6)))),
    "SE": (("SE", "SWE", "Sweden", "Sverige"),
           (46, "0", (("8", 7), ("31", 7), ("40", 6), ("18", 6)))),
    "NO": (("NO", "NOR", "Norway", "Norge", "Noreg"),
           (47, "", (("22", 6), ("55", 6), ("73", 6)))),
    "FI": (("FI", "FIN", "Finland", "Suomi", "Finnland"),
           (358, "0", (("9", 7), ("2", 7), ("3", 7)))),
    "PL": (("PL", "POL", "Poland", "Polska", "Polen"),
           (48, "", (("22", 7), ("12", 7), ("61", 7), ("71", 7)))),
    "CZ": (("CZ", "CZE", "Czechia", "Czech Republic", "Česko", "Tschechien"),
           (420, "", (("2", 8), ("54", 7)))),
    "GR": (("GR", "GRC", "Greece", "Ελλάδα", "Griechenland"),
           (30, "", (("210", 7), ("2310", 6)))),
}  # fmt: skip

# Region -> (spellings, (calling code, trunk prefix, mobile or landline prefixes and digits after)).
HANDTYPED_COUNTRIES: dict[str, tuple[tuple[str, ...], _Plan]] = {
    "US": (("US", "USA", "U.S.", "United States", "usa", "America", "US"),
           (1, "", (("212", 7), ("415", 7), ("312", 7), ("617", 7), ("713", 7), ("206", 7)))),
    "CA": (("CA", "Canada", "CAN", "canada"),
           (1, "", (("416", 7), ("604", 7), ("514", 7), ("403", 7)))),
    "GB": (("UK", "GB", "England", "United Kingdom", "uk"),
           (44, "0", (("7911", 6), ("7700", 6), ("20", 8), ("161", 7)))),
    "AU": (("AU", "AUS", "Australia", "australia"),
           (61, "0", (("412", 6), ("423", 6), ("2", 8), ("3", 8)))),
    "IN": (("IN", "IND", "India", "india", "Bharat"),
           (91, "", (("98", 8), ("97", 8), ("88", 8), ("70", 8)))),
}  # fmt: skip

# Region -> (spellings, mobile numbers as written nationally: fixed text and "#" for a random digit).
WIDE_COUNTRIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "BR": (("BR", "BRA", "Brazil", "Brasil"), ("(11) 9####-####", "(21) 9####-####", "11 9####-####")),
    "MX": (("MX", "MEX", "Mexico", "México"), ("55 #### ####", "33 #### ####", "(81) #### ####")),
    "AR": (("AR", "ARG", "Argentina"), ("011 15-####-####", "(0351) 15-###-####", "011 15 #### ####")),
    "CO": (("CO", "COL", "Colombia"), ("310 ### ####", "300 ### ####", "315 ### ####")),
    "CL": (("CL", "CHL", "Chile"), ("9 #### ####", "9 ########")),
    "PE": (("PE", "PER", "Peru", "Perú"), ("9## ### ###", "9########")),
    "JP": (("JP", "JPN", "Japan", "日本"), ("090-####-####", "080-####-####", "070-####-####")),
    "KR": (("KR", "KOR", "South Korea", "대한민국", "Korea"), ("010-####-####", "010 #### ####")),
    "IN": (("IN", "IND", "India", "भारत"), ("98### #####", "91### #####", "70### #####")),
    "ID": (("ID", "IDN", "Indonesia"), ("0812-####-####", "0813 #### ####", "0857-####-####")),
    "PH": (("PH", "PHL", "Philippines", "Pilipinas"), ("0917 ### ####", "0918-###-####", "0905 ### ####")),
    "VN": (("VN", "VNM", "Vietnam", "Viet Nam", "Việt Nam"),
           ("091 ### ####", "098 ### ####", "090 ### ####")),
    "TH": (("TH", "THA", "Thailand", "ประเทศไทย"), ("081-###-####", "089 ### ####", "061-###-####")),
    "CN": (("CN", "CHN", "China", "中国"), ("138 #### ####", "139 #### ####", "186 #### ####")),
}  # fmt: skip


def _spellings(table: Mapping[str, tuple[tuple[str, ...], object]]) -> dict[str, str]:
    return {spelling: region for region, (spellings, _) in table.items() for spelling in spellings}


#: Every spelling of a country each generator writes -> its region (what a by-hand script types in).
B2B_SPELLINGS: dict[str, str] = _spellings(B2B_COUNTRIES)
HANDTYPED_SPELLINGS: dict[str, str] = _spellings(HANDTYPED_COUNTRIES)
WIDE_SPELLINGS: dict[str, str] = _spellings(WIDE_COUNTRIES)

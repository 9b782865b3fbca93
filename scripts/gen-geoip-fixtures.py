#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the small MaxMind DB files the GeoIP enricher tests read.

The databases are written by an independent implementation (the mmdb-writer package) and read
back with MaxMind's own Python reader (maxminddb), so the Swift reader is tested against files it
did not produce. Every network is from the documentation ranges (RFC 5737, RFC 3849) and every
value is invented. Run it only to change the fixtures; the suite reads the committed files:

    python3 -m venv /tmp/geovenv && /tmp/geovenv/bin/pip install mmdb-writer netaddr maxminddb
    /tmp/geovenv/bin/python scripts/gen-geoip-fixtures.py Tests/TocsinSourcesTests/Fixtures/geoip
"""

import sys
from pathlib import Path

import maxminddb
from mmdb_writer import MMDBWriter, TreeWriter, MmdbF32, MmdbI32, MmdbU16, MmdbU32, MmdbU64, MmdbU128
from netaddr import IPSet


def save(writer, path, record_size=None):
    """Writes with a fixed build time and, when given, a forced record size (24, 28 or 32)."""
    meta = writer._build_meta()
    meta["build_epoch"] = 1764028800
    tree = TreeWriter(writer.tree, meta, writer.int_type, writer.float_type)
    if record_size:
        original = tree._adjust_record_size

        def adjust():
            original()
            tree.record_size = record_size
            tree.data_offset = record_size * 2 / 8 * tree._node_counter

        tree._adjust_record_size = adjust
    tree.write(str(path))


def city(names, country, continent, lat, lon, subdivision=None, extra=None):
    record = {
        "city": {"geoname_id": MmdbU32(2147714), "names": names},
        "continent": {"code": continent, "names": {"en": continent}},
        "country": {"iso_code": country, "names": {"en": country, "de": country.lower()}},
        "location": {"latitude": lat, "longitude": lon, "accuracy_radius": MmdbU16(20)},
    }
    if subdivision:
        record["subdivisions"] = [{"iso_code": subdivision, "names": {"en": subdivision}}]
    if extra:
        record["traits"] = extra
    return record


def write_city(path):
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-City",
                        languages=["en", "de"],
                        description={"en": "Tocsin test city database", "de": "Tocsin-Testdatenbank"})
    writer.insert_network(IPSet(["203.0.113.0/24"]), city(
        {"en": "Sydney", "de": "Sydney"}, "AU", "OC", -33.8688, 151.2093, "NSW",
        extra={"is_anycast": False, "population": MmdbU64(5_312_000), "big": MmdbU128(2**100 + 7),
               "offset": MmdbI32(-36000), "weight": MmdbF32(0.5), "tags": ["a", "b", "c"],
               "blob": b"\x00\x01\xfe", "note": "x" * 300}))
    writer.insert_network(IPSet(["198.51.100.0/25"]), city(
        {"en": "São Paulo"}, "BR", "SA", -23.5505, -46.6333, "SP"))
    writer.insert_network(IPSet(["198.51.100.128/25"]), city(
        {"en": "München", "de": "München"}, "DE", "EU", 48.1351, 11.5820, "BY"))
    writer.insert_network(IPSet(["2001:db8:1::/48"]), city(
        {"en": "Berlin"}, "DE", "EU", 52.5200, 13.4050, "BE"))
    save(writer, path, record_size=28)


def write_asn(path):
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-ASN",
                        description={"en": "Tocsin test ASN database"})
    writer.insert_network(IPSet(["203.0.113.0/24", "198.51.100.0/24"]), {
        "autonomous_system_number": MmdbU32(64500),
        "autonomous_system_organization": "Example Transit"})
    writer.insert_network(IPSet(["2001:db8::/32"]), {
        "autonomous_system_number": MmdbU32(64501),
        "autonomous_system_organization": "Example Six"})
    save(writer, path)


def write_country_v4(path):
    writer = MMDBWriter(ip_version=4, database_type="GeoLite2-Country",
                        description={"en": "Tocsin test IPv4 country database"})
    writer.insert_network(IPSet(["192.0.2.0/24"]), {
        "country": {"iso_code": "NZ", "names": {"en": "New Zealand"}},
        "continent": {"code": "OC"}})
    save(writer, path, record_size=32)


def write_many(path):
    """500 networks; values first seen past the first 2 KiB of data are shared by later records,
    so the file has pointers of the two- and three-byte forms (targets of 2,048 bytes and more)."""
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="Tocsin-Test-Many",
                        description={"en": "Tocsin test database with many networks"})
    for index in range(500):
        late = index >= 250
        record = {
            "city": {"names": {"en": f"Town {index:03d}"}},
            "country": {"iso_code": "LT" if late else "EA", "names": {"en": "Late Land" if late else "Early Land"}},
        }
        writer.insert_network(IPSet([f"100.{64 + index // 256}.{index % 256}.0/24"]), record)
    save(writer, path)


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    write_city(out / "city-test.mmdb")
    write_asn(out / "asn-test.mmdb")
    write_country_v4(out / "country-v4-test.mmdb")
    write_many(out / "many-test.mmdb")
    for name, address in [("city-test.mmdb", "203.0.113.9"), ("city-test.mmdb", "198.51.100.200"),
                          ("city-test.mmdb", "2001:db8:1::5"), ("city-test.mmdb", "192.0.2.1"),
                          ("asn-test.mmdb", "2001:db8:ffff::1"), ("country-v4-test.mmdb", "192.0.2.77"),
                          ("many-test.mmdb", "100.65.243.9")]:
        with maxminddb.open_database(str(out / name)) as reader:
            print(name, reader.metadata().record_size, address, reader.get(address))


if __name__ == "__main__":
    main()

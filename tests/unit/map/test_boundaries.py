"""Boundary resolution: configuration, cache, download (against a local HTTP server) and schematic fallback."""

from __future__ import annotations

import dataclasses
import json
import os
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cohort.map import boundaries as b
from cohort.map.boundaries import Division, canonical_code, detect_division, resolve_boundaries
from cohort.map.boundaries.__main__ import main as boundaries_main
from cohort.map.schematic import snap_to_hex_grid
from cohort.settings import Settings, load_settings

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "boundaries"
FILES: dict[Division, Path] = {
    Division.GEBIEDEN_2015: SHARED / "gebieden_2015_GEBIEDEN22.geojson",
    Division.GEBIEDEN_2022: SHARED / "gebieden_2022_INDELING_GEBIED.geojson",
    Division.STADSDELEN: SHARED / "stadsdelen_2022_INDELING_STADSDEEL.geojson",
}
_absent = [str(p) for p in FILES.values() if not p.is_file()]
if _absent:
    message = f"OFFICIAL BOUNDARY FILES MISSING, boundary tests not run: {', '.join(_absent)}"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)  # they are part of the CI image; absence there is a bug
    pytest.skip(message, allow_module_level=True)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return dataclasses.replace(
        load_settings(), cache_dir=tmp_path / "cache", boundaries_source=None, boundaries_download=True
    )


def offline(settings: Settings) -> Settings:
    return dataclasses.replace(settings, boundaries_download=False)


# --- a local stand-in for maps.amsterdam.nl/open_geodata


class GeodataServer:
    """Serves the real files by KAARTLAAG, or a chosen failure mode; records every request."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                layer = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("KAARTLAAG", [""])[0]
                body = server.body(layer)
                if server.mode == "500":
                    self.send_response(500)
                    self.end_headers()
                    return
                if server.mode == "slow":
                    time.sleep(3)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                if server.mode == "drip":  # each read is quick, the whole is too slow
                    for start in range(0, len(body), len(body) // 10 + 1):
                        self.wfile.write(body[start : start + len(body) // 10 + 1])
                        self.wfile.flush()
                        time.sleep(0.15)
                    return
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # the client hung up on a slow answer: expected in these tests

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/open_geodata/geojson_lnglat.php"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def body(self, layer: str) -> bytes:
        division = Division(layer)
        raw = FILES[division].read_bytes()
        if self.mode not in ("notjson", "outside", "missing"):
            return raw
        if self.mode == "notjson":
            return b"<html><body>Onderhoud</body></html>"
        document = json.loads(raw)
        if self.mode == "outside":  # a projected (RD New) coordinate: the wrong CRS
            document["features"][0]["geometry"]["coordinates"][0][0] = [121000.0, 487000.0]
        elif self.mode == "missing":
            field = {Division.GEBIEDEN_2015: "Gebied_code", Division.GEBIEDEN_2022: "Gebiedcode",
                     Division.STADSDELEN: "Stadsdeelcode"}[division]
            document["features"] = [f for f in document["features"] if f["properties"][field] not in
                                    ("GA02", "GE05", "DX05", "K")]
        return json.dumps(document).encode()


@pytest.fixture
def geodata(monkeypatch: pytest.MonkeyPatch) -> Iterator[GeodataServer]:
    server = GeodataServer()
    server.thread.start()
    monkeypatch.setenv(b.GEODATA_URL_ENV, server.url)
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


# --- configuration


def test_configured_file_is_used_and_normalised(settings: Settings) -> None:
    configured = dataclasses.replace(settings, boundaries_source=str(FILES[Division.GEBIEDEN_2022]))
    result = resolve_boundaries(Division.GEBIEDEN_2022, configured)
    assert result.source == "configuratie"
    assert result.is_official and result.note_nl is None
    assert result.location == str(FILES[Division.GEBIEDEN_2022])
    assert len(result.geojson["features"]) == 25
    props = {f["properties"]["code"]: f["properties"] for f in result.geojson["features"]}
    assert props["GE05"] == {"code": "GE05", "naam": "Oud-West, De Baarsjes", "stadsdeel": "West"}
    assert props["GS25"]["stadsdeel"] == "Weesp"


def test_2015_file_keeps_its_own_names_and_maps_stadsdeel_letters(settings: Settings) -> None:
    configured = dataclasses.replace(settings, boundaries_source=str(FILES[Division.GEBIEDEN_2015]))
    result = resolve_boundaries(Division.GEBIEDEN_2015, configured)
    props = {f["properties"]["code"]: f["properties"] for f in result.geojson["features"]}
    assert set(props) == {f"DX{i:02d}" for i in range(1, 23)} | {"DXXX"}  # plus Westpoort
    assert props["DX05"] == {"code": "DX05", "naam": "Oud West / De Baarsjes", "stadsdeel": "West"}
    assert props["DX22"]["stadsdeel"] == "Zuidoost"


def test_stadsdelen_file(settings: Settings) -> None:
    configured = dataclasses.replace(settings, boundaries_source=str(FILES[Division.STADSDELEN]))
    result = resolve_boundaries(Division.STADSDELEN, configured)
    assert result.source == "configuratie"
    assert result.codes == frozenset("ABEFKMNST")


def test_layer_placeholder_and_directory(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "grenzen"
    folder.mkdir()
    (folder / "INDELING_STADSDEEL.geojson").write_bytes(FILES[Division.STADSDELEN].read_bytes())
    for source in (str(folder / "{layer}.geojson"), str(folder)):
        result = resolve_boundaries(Division.STADSDELEN, offline(dataclasses.replace(settings,
                                                                                     boundaries_source=source)))
        assert result.source == "configuratie", result.attempts


def test_configured_file_for_another_layer_is_rejected_with_reason(settings: Settings) -> None:
    configured = offline(dataclasses.replace(settings, boundaries_source=str(FILES[Division.GEBIEDEN_2015])))
    result = resolve_boundaries(Division.GEBIEDEN_2022, configured)
    assert result.source == "schematisch" and not result.is_official
    assert "Gebiedcode" in result.attempts[0] and "INDELING_GEBIED" in result.attempts[0]
    assert result.note_nl == b.SCHEMATIC_NOTE_NL


def test_configured_file_missing(settings: Settings, tmp_path: Path) -> None:
    configured = offline(dataclasses.replace(settings, boundaries_source=str(tmp_path / "nope.geojson")))
    result = resolve_boundaries(Division.STADSDELEN, configured)
    assert result.source == "schematisch"
    assert result.attempts[0].startswith("Configuratie:") and "niet te lezen" in result.attempts[0]


# --- download and cache


def test_download_validates_caches_atomically_and_cache_is_reused(
    settings: Settings, geodata: GeodataServer
) -> None:
    result = resolve_boundaries(Division.GEBIEDEN_2022, settings)
    assert result.source == "download", result.attempts
    assert result.is_official and len(result.geojson["features"]) == 25
    assert len(geodata.requests) == 1
    assert "KAARTLAAG=INDELING_GEBIED" in geodata.requests[0] and "THEMA=gebiedsindeling" in geodata.requests[0]

    cached = Path(settings.cache_dir) / "boundaries" / "INDELING_GEBIED.geojson"
    assert cached.read_bytes() == FILES[Division.GEBIEDEN_2022].read_bytes()  # the file as served
    assert [p.name for p in cached.parent.iterdir()] == [cached.name]  # no temporary files left

    geodata.httpd.shutdown()  # no network from here on
    again = resolve_boundaries(Division.GEBIEDEN_2022, settings)
    assert again.source == "cache"
    assert len(geodata.requests) == 1
    assert again.geojson == result.geojson


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("notjson", "geen geldige JSON"),
        ("outside", "buiten Amsterdam"),
        ("missing", "codes ontbreken: GA02, GE05"),
        ("500", "HTTP-fout 500"),
        ("slow", "time-out"),
        ("drip", "time-out"),
    ],
)
def test_bad_download_falls_back_to_schematic_with_reason(
    settings: Settings, geodata: GeodataServer, mode: str, reason: str
) -> None:
    geodata.mode = mode
    started = time.monotonic()
    result = resolve_boundaries(Division.GEBIEDEN_2022, settings, timeout=0.5)
    assert time.monotonic() - started < 2.5  # never waits for the slow server
    assert result.source == "schematisch" and not result.is_official
    download = [a for a in result.attempts if a.startswith("Download:")]
    assert len(download) == 1 and reason in download[0], result.attempts
    assert not (Path(settings.cache_dir) / "boundaries" / "INDELING_GEBIED.geojson").exists()


def test_invalid_cache_is_skipped_and_replaced_by_download(settings: Settings, geodata: GeodataServer) -> None:
    cached = Path(settings.cache_dir) / "boundaries" / "INDELING_STADSDEEL.geojson"
    cached.parent.mkdir(parents=True)
    cached.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")  # a torn write
    result = resolve_boundaries(Division.STADSDELEN, settings)
    assert result.source == "download"
    assert any(a.startswith("Cache:") and "ongeldig" in a for a in result.attempts)
    assert json.loads(cached.read_bytes())["type"] == "FeatureCollection"


def test_download_disabled_makes_no_request(settings: Settings, geodata: GeodataServer) -> None:
    result = resolve_boundaries(Division.STADSDELEN, offline(settings))
    assert result.source == "schematisch"
    assert geodata.requests == []
    assert any("uitgeschakeld" in a for a in result.attempts)


def test_unreachable_service_falls_back(settings: Settings) -> None:
    # Port 9 (discard) on localhost is closed: a refused connection, like a machine without network.
    result = resolve_boundaries(Division.STADSDELEN, settings, timeout=0.5,
                                geodata_base_url="http://127.0.0.1:9/x.php")
    assert result.source == "schematisch"
    assert any(a.startswith("Download:") and "niet bereikbaar" in a for a in result.attempts)


def test_write_atomically_replaces_without_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "a" / "LAYER.geojson"
    b.write_atomically(target, b"one")
    b.write_atomically(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["LAYER.geojson"]


def test_fetch_command(settings: Settings, geodata: GeodataServer, monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COHORT_CACHE_DIR", str(settings.cache_dir))
    assert boundaries_main(["fetch", "--layer", "INDELING_STADSDEEL"]) == 0
    assert "OK" in capsys.readouterr().out
    assert (Path(settings.cache_dir) / "boundaries" / "INDELING_STADSDEEL.geojson").is_file()
    assert len(geodata.requests) == 1

    assert boundaries_main(["fetch", "--all"]) == 0
    assert len(geodata.requests) == 4

    geodata.mode = "missing"
    assert boundaries_main(["fetch", "--layer", "INDELING_GEBIED", "--timeout", "2"]) == 1
    assert "codes ontbreken" in capsys.readouterr().err


# --- schematic fallback


@pytest.mark.parametrize("division", list(Division))
def test_schematic_tiles_cover_all_areas_inside_amsterdam(division: Division) -> None:
    result = b.schematic_boundaries(division)
    assert result.codes == b.expected_codes(division)
    assert result.source == "schematisch" and not result.is_official
    assert "niet beschikbaar" in (result.note_nl or "")
    for feature in result.geojson["features"]:
        ring = feature["geometry"]["coordinates"][0]
        assert len(ring) == 7 and ring[0] == ring[-1]
        for lon, lat in ring:
            assert b.LON_RANGE[0] <= lon <= b.LON_RANGE[1] and b.LAT_RANGE[0] <= lat <= b.LAT_RANGE[1]
    # The fallback must itself pass the validation of official files (apart from the code field).
    assert set(feature["properties"]) == {"code", "naam", "stadsdeel"}


def test_schematic_tiles_never_share_a_cell() -> None:
    points = {"a": (4.90, 52.36), "b": (4.9001, 52.3601), "c": (4.9002, 52.3599)}
    cells = snap_to_hex_grid(points, 2000.0)
    assert len(set(cells.values())) == 3
    assert cells["a"] == (0, 0)  # the first (in code order) keeps its own cell


# --- division detection and codes


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["DX01", "DX22", " dx05 "], Division.GEBIEDEN_2015),
        (["DX01", "Dxxx"], Division.GEBIEDEN_2015),
        (["GA01", "GS25", "GT24"], Division.GEBIEDEN_2022),
        (["A", "E", "F", "K", "M", "N", "T", "S", "B"], Division.STADSDELEN),
        (["Centrum", "Nieuw-West", "nieuw west", "Zuidoost"], Division.STADSDELEN),
        (["DX01", "GA01"], None),  # mixed
        (["DX23"], None),  # no such area
        (["GA03"], None),  # GE03 exists, GA03 does not
        (["E75", "K52"], None),  # 2015 wijk codes, not gebieden
        ([], None),
        (["", "  "], None),
    ],
)
def test_detect_division(codes: list[str], expected: Division | None) -> None:
    assert detect_division(codes) is expected


def test_canonical_code() -> None:
    assert canonical_code(Division.STADSDELEN, "Nieuw-West") == "F"
    assert canonical_code(Division.STADSDELEN, " t ") == "T"
    assert canonical_code(Division.GEBIEDEN_2015, "dx01") == "DX01"
    assert canonical_code(Division.GEBIEDEN_2022, "Centrum") == "CENTRUM"  # names only map for stadsdelen


def test_download_deadline_covers_a_hanging_name_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    # urllib's own timeout does not bound DNS; a resolver that hangs must not hold up the page.
    monkeypatch.setattr(b.urllib.request, "urlopen", lambda *args, **kwargs: time.sleep(2))
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        b.fetch_bytes("http://example.invalid/x", 0.3)
    assert time.monotonic() - started < 1.0


def test_configured_url_with_layer_placeholder(settings: Settings, geodata: GeodataServer) -> None:
    configured = dataclasses.replace(settings, boundaries_source=geodata.url + "?KAARTLAAG={layer}")
    result = resolve_boundaries(Division.GEBIEDEN_2015, configured)
    assert result.source == "configuratie" and result.location is not None
    assert result.location.endswith("KAARTLAAG=GEBIEDEN22")
    assert not (Path(settings.cache_dir) / "boundaries").exists()  # the cache holds official downloads only

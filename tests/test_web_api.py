"""The page's HTTP API on a real `briefexport serve`: answers, byte-identical files, errors, safety."""

from __future__ import annotations

import http.client
import io
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from conftest import DATA, WebServer, start_server

WEB = DATA / "web"


def request(server: WebServer, method: str, path: str, body: bytes | str | dict[str, Any] | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request to the server; status, headers (lower-case names) and body."""
    if isinstance(body, dict):
        body = json.dumps(body, ensure_ascii=False)
    if isinstance(body, str):
        body = body.encode("utf-8")
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {name.lower(): value for name, value in response.getheaders()}, response.read()
    finally:
        connection.close()


def error_of(status_headers_body: tuple[int, dict[str, str], bytes]) -> tuple[int, dict[str, Any]]:
    status, headers, body = status_headers_body
    assert headers["content-type"] == "application/json"
    error: dict[str, Any] = json.loads(body)["error"]
    assert "\n" not in error["message"]  # the CLI's one line
    return status, error


def cli_build(tmp_path: Path, outline: str, theme: str = "handout") -> dict[str, bytes]:
    """What `briefexport build` writes for this outline text and theme."""
    source = tmp_path / "cli.yaml"
    source.write_text(outline, encoding="utf-8")
    out = tmp_path / "cli-out"
    subprocess.run([sys.executable, "-m", "briefexport", "build", str(source), "-t", theme, "-o", str(out)],
                   check=True, capture_output=True)
    return {fmt: (out / f"cli.{fmt}").read_bytes() for fmt in ("docx", "pdf", "epub")}


@pytest.fixture(scope="module")
def imported(web_server: WebServer) -> dict[str, Any]:
    status, _, body = request(web_server, "POST", "/api/import", (DATA / "seed_briefing.txt").read_bytes(),
                              {"Content-Type": "text/plain"})
    assert status == 200
    result: dict[str, Any] = json.loads(body)
    return result


def test_import_finds_the_briefings_sections_items_and_labels(imported: dict[str, Any]) -> None:
    sections = imported["tree"]["sections"]
    assert [s["title"] for s in sections] == ["六个“必须坚持”", "一个“总体要求”", "八个“重点任务”", "一个“关键少数”"]
    assert [len(s["items"]) for s in sections] == [6, 0, 8, 0]
    assert [i["label"] for i in sections[0]["items"]] == ["一是", "二是", "三是", "四是", "五是", "六是"]
    assert [i["label"] for i in sections[2]["items"]][:2] == ["重点任务一：", "重点任务二："]
    assert sections[0]["items"][0]["title"] == "必须坚持党的绝对领导"
    assert "found 4 sections and 14 items" in imported["summary"]
    notes = imported["notes"]
    assert [note["code"] for note in notes] == ["imported_from", "junk_removed", "sections_kicker", "item_headings",
                                                "check_then_build"]
    assert notes[1] == {"message": "6 runs of anti-copy junk (142 characters) were removed", "code": "junk_removed",
                        "params": {"runs": "6", "chars": "142"}}
    assert "# 6 runs of anti-copy junk (142 characters) were removed; " + notes[2]["message"] + ";" in imported["yaml"]


def test_gb18030_text_imports_like_utf8(web_server: WebServer, imported: dict[str, Any]) -> None:
    status, _, body = request(web_server, "POST", "/api/import?filename=" + quote("简报.txt"),
                              (WEB / "seed_gb18030.txt").read_bytes(), {"Content-Type": "application/octet-stream"})
    assert status == 200
    assert json.loads(body)["tree"]["sections"] == imported["tree"]["sections"]


def test_html_is_imported_by_its_text_structure(web_server: WebServer) -> None:
    html = "<html><head><style>p{}</style></head><body><h1>学习要点</h1><p>关键点 第一部分</p><p>一是坚持学习。二是注重实践。</p></body></html>"
    status, _, body = request(web_server, "POST", "/api/import", html, {"Content-Type": "text/html"})
    assert status == 200
    result = json.loads(body)
    assert result["tree"]["meta"]["title"] == "学习要点"
    assert "p{}" not in result["yaml"]


def test_an_outline_file_is_checked_and_kept_as_it_is(web_server: WebServer, seed_outline_path: Path) -> None:
    text = seed_outline_path.read_text(encoding="utf-8")
    status, _, body = request(web_server, "POST", "/api/import?filename=outline.yaml", text)
    assert status == 200
    assert json.loads(body)["yaml"] == text


@pytest.mark.parametrize("theme", ["handout", "gongwen"])
def test_build_returns_the_cli_bytes_named_from_the_title(web_server: WebServer, imported: dict[str, Any], tmp_path: Path,
                                                          theme: str) -> None:
    expected = cli_build(tmp_path, imported["yaml"], theme)
    for fmt in ("docx", "pdf", "epub"):
        status, headers, body = request(web_server, "POST", "/api/build", {"outline": imported["yaml"], "format": fmt, "theme": theme})
        assert status == 200, body[:300]
        assert body == expected[fmt], fmt
        assert headers["content-disposition"].endswith("filename*=UTF-8''" + quote(f"今年公安工作怎么干？.{fmt}", safe=""))
    status, headers, body = request(web_server, "POST", "/api/build", {"outline": imported["yaml"], "format": "zip", "theme": theme})
    assert status == 200 and headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert {name: archive.read(name) for name in archive.namelist()} == {
            f"今年公安工作怎么干？.{fmt}": data for fmt, data in expected.items()}


def test_yaml_download_is_the_outline(web_server: WebServer, imported: dict[str, Any]) -> None:
    status, headers, body = request(web_server, "POST", "/api/build", {"outline": imported["yaml"], "format": "yaml"})
    assert status == 200 and body.decode("utf-8") == imported["yaml"]
    assert "filename*=UTF-8''" + quote("今年公安工作怎么干？.yaml", safe="") in headers["content-disposition"]


def test_an_uploaded_theme_builds_like_the_same_file_on_the_command_line(web_server: WebServer, imported: dict[str, Any],
                                                                      tmp_path: Path) -> None:
    theme_text = (WEB / "theme_ok.yaml").read_text(encoding="utf-8")
    theme_file = tmp_path / "mine.yaml"
    theme_file.write_text(theme_text, encoding="utf-8")
    expected = cli_build(tmp_path, imported["yaml"], str(theme_file))
    status, _, body = request(web_server, "POST", "/api/build",
                              {"outline": imported["yaml"], "format": "pdf", "theme_file": theme_text})
    assert status == 200 and body == expected["pdf"]


@pytest.mark.parametrize(("theme", "expected"), [
    ("theme_escape.yaml", "theme.yaml:1:10: error: a theme given as text may extend only a preset (ebook, gongwen, handout), "
                          "not '../../../../etc/passwd.yaml'"),
    ("theme_typo.yaml", "theme.yaml:3:10: error: unknown theme key 'sise' in 'body'; did you mean 'size'?"),
])
def test_theme_uploads_cannot_reach_outside_and_errors_are_located(web_server: WebServer, imported: dict[str, Any], theme: str,
                                                                   expected: str) -> None:
    status, error = error_of(request(web_server, "POST", "/api/build", {
        "outline": imported["yaml"], "format": "pdf", "theme_file": (WEB / theme).read_text(encoding="utf-8")}))
    assert status == 400
    assert error["message"].startswith(expected), error
    assert error["file"] == "theme.yaml" and error["line"] in (1, 3)


def test_outline_errors_come_back_as_the_cli_line_with_line_and_column(web_server: WebServer) -> None:
    expected = dict(line.split("\t", 1) for line in (DATA / "bad" / "expected.tsv").read_text(encoding="utf-8").splitlines()
                    if line and not line.startswith("#"))
    for name in ("misspelled_key.yaml", "bad_yaml.yaml", "bad_date.yaml", "tab_indent.yaml"):
        text = (DATA / "bad" / name).read_bytes()
        status, error = error_of(request(web_server, "POST", "/api/check", text, {"Content-Type": "application/yaml"}))
        assert status == 400
        assert error["message"] == "outline.yaml:" + expected[name], name
        line, col, _ = expected[name].split(":", 2)
        assert (error["file"], error["line"], error["col"]) == ("outline.yaml", int(line), int(col))


def test_the_edited_tree_becomes_yaml_with_new_labels(web_server: WebServer, imported: dict[str, Any]) -> None:
    tree = imported["tree"]
    tree["sections"][0]["items"].reverse()
    tree["sections"][0]["numbering"] = "第{cn}条"
    tree["sections"][2]["items"].pop()
    status, _, body = request(web_server, "POST", "/api/outline", {"tree": tree})
    assert status == 200
    result = json.loads(body)
    first = result["tree"]["sections"][0]["items"]
    assert [i["label"] for i in first][:2] == ["第一条", "第二条"] and first[0]["title"] == "必须坚持全面从严管党治警"
    assert len(result["tree"]["sections"][2]["items"]) == 7
    status, _, body = request(web_server, "POST", "/api/check", result["yaml"])
    assert json.loads(body)["tree"] == result["tree"]


def test_a_malformed_tree_is_one_clear_error(web_server: WebServer) -> None:
    status, error = error_of(request(web_server, "POST", "/api/outline", {"tree": {"meta": {"title": "x"}, "sections": "no"}}))
    assert status == 400 and error["message"] == "briefexport: error: sections must be a list"


def test_preview_pages_and_notices(web_server: WebServer, imported: dict[str, Any]) -> None:
    body = {"outline": imported["yaml"], "theme": "gongwen"}
    status, _, data = request(web_server, "POST", "/api/preview", body)
    assert status == 200
    result = json.loads(data)
    count = len(result["pages"])
    assert count >= 4 and result["pages"][0] == f"/api/preview/{result['build']}/1.png"
    assert all(size == [595.28, 841.89] for size in result["sizes"]) and len(result["sizes"]) == count  # A4
    substituted = [n for n in result["notices"] if n["level"] == "note" and "仿宋_GB2312" in n["message"]]
    assert substituted and substituted[0]["code"] == "font_substituted"
    assert substituted[0]["params"]["font"] == "仿宋_GB2312" and substituted[0]["params"]["reason"] == "not_installed"
    # the same outline and theme again: the same build, its pages drawn on request, each one different
    assert json.loads(request(web_server, "POST", "/api/preview", body)[2])["build"] == result["build"]
    images = []
    for url in result["pages"]:
        status, headers, png = request(web_server, "GET", url)
        assert status == 200 and headers["content-type"] == "image/png" and png.startswith(b"\x89PNG")
        assert "no-store" not in headers["cache-control"]  # named by content: the browser may keep it
        images.append(png)
    assert len(set(images)) == count
    status, headers, png = request(web_server, "POST", "/api/preview/2", body)
    assert status == 200 and headers["content-type"] == "image/png" and png == images[1]
    status, error = error_of(request(web_server, "POST", "/api/preview/99", {"outline": imported["yaml"]}))
    assert status == 400 and "there is no page 99" in error["message"]
    status, error = error_of(request(web_server, "GET", f"/api/preview/{result['build']}/{count + 1}.png"))
    assert status == 400 and f"the PDF has {count} pages; there is no page {count + 1}" in error["message"]
    status, error = error_of(request(web_server, "GET", "/api/preview/0123456789abcdef/1.png"))
    assert status == 404 and "ask for the preview again" in error["message"]


def test_an_uncovered_character_is_a_located_warning(web_server: WebServer) -> None:
    outline = "title: 缺字\nsections:\n  - title: 一\n    body: 这个字\U000f0001没有\n"
    status, _, body = request(web_server, "POST", "/api/preview", {"outline": outline})
    assert status == 200
    warnings = [n for n in json.loads(body)["notices"] if n["level"] == "warning"]
    assert warnings and warnings[0]["line"] == 4, warnings
    assert warnings[0]["code"] == "uncovered_char" and warnings[0]["params"]["codepoint"] == "U+F0001"
    assert warnings[0]["params"]["char"] == "\U000f0001" and warnings[0]["params"]["role"] == "body"


def test_size_limit_binary_and_bad_json(web_server: WebServer) -> None:
    status, error = error_of(request(web_server, "POST", "/api/import", b"x" * (8 * 2**20 + 1)))
    assert status == 413 and "8 MiB" in error["message"] and error["code"] == "too_large" and error["params"] == {"limit": "8"}
    status, error = error_of(request(web_server, "POST", "/api/import", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\xff"))
    assert status == 400 and "cannot read the text as UTF-8, GB18030 or UTF-16" in error["message"]
    status, error = error_of(request(web_server, "POST", "/api/build", b"{not json"))
    assert status == 400 and "not JSON" in error["message"]
    status, error = error_of(request(web_server, "POST", "/api/build", {"outline": "title: x\n", "format": "exe"}))
    assert status == 400 and "'format' must be one of" in error["message"]


def test_headers_keep_the_page_to_itself(web_server: WebServer) -> None:
    status, headers, body = request(web_server, "GET", "/")
    assert status == 200
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    page = body.decode("utf-8")
    assert "http://" not in page and "https://" not in page  # nothing from elsewhere
    for asset in ("/static/app.js", "/static/style.css"):
        status, _, text = request(web_server, "GET", asset)
        assert status == 200 and b"http://" not in text and b"https://" not in text and b"innerHTML" not in text


@pytest.mark.parametrize(("host", "answered"), [
    ("[::1]:{port}", True), ("[::1]", True), ("127.0.0.1:{port}", True), ("LOCALHOST:{port}", True),
    ("[::2]:{port}", False), ("[::1]x", False), ("::1", False), ("[::1]:{port}@attacker.example", False), ("", False),
])
def test_loopback_names_are_answered_with_or_without_a_port(web_server: WebServer, host: str, answered: bool) -> None:
    status, _, body = request(web_server, "GET", "/api/themes", headers={"Host": host.format(port=urlsplit(web_server.url).port)})
    assert status == (200 if answered else 400), body
    if not answered:
        assert "answers only to the names of this computer" in json.loads(body)["error"]["message"]


def test_a_server_on_the_ipv6_loopback_answers_its_own_address() -> None:
    import socket

    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("this machine has no IPv6 loopback")
    server = start_server(host="::1")
    try:
        assert server.url.startswith("http://[::1]:")
        # http.client sends Host: [::1]:PORT, as a browser opening the printed address does
        status, _, body = request(server, "GET", "/api/themes")
        assert status == 200, body
        assert request(server, "GET", "/api/themes", headers={"Host": "attacker.example"})[0] == 400
    finally:
        assert server.stop()[0] == 0


def test_a_write_from_another_sites_page_is_refused(web_server: WebServer) -> None:
    host = urlsplit(web_server.url).netloc
    foreign = {"Origin": "http://attacker.example", "Content-Type": "text/plain"}
    status, error = error_of(request(web_server, "POST", "/api/check", "title: 测试\n", headers=foreign))
    assert status == 403 and "other web pages" in error["message"]
    assert request(web_server, "POST", "/api/check", "title: 测试\n", headers={"Sec-Fetch-Site": "cross-site"})[0] == 403
    # the page itself, and a script without browser headers, still get through
    assert request(web_server, "POST", "/api/check", "title: 测试\n", headers={"Origin": f"http://{host}"})[0] == 200
    assert request(web_server, "POST", "/api/check", "title: 测试\n")[0] == 200


def test_language_follows_the_browser(web_server: WebServer) -> None:
    assert b'lang="en"' in request(web_server, "GET", "/", headers={"Accept-Language": "en-GB,en;q=0.9"})[2]
    assert b'lang="zh-CN"' in request(web_server, "GET", "/", headers={"Accept-Language": "zh-CN,en;q=0.5"})[2]
    assert b'lang="zh-CN"' in request(web_server, "GET", "/")[2]


def test_api_lists_its_endpoints_and_themes(web_server: WebServer) -> None:
    doc = json.loads(request(web_server, "GET", "/api")[2])
    assert {"POST /api/import", "POST /api/build", "POST /api/preview", "GET /api/themes"} <= set(doc)
    themes = json.loads(request(web_server, "GET", "/api/themes")[2])
    assert [theme["name"] for theme in themes] == ["ebook", "gongwen", "handout"]


def test_serve_prints_its_address_and_stops_cleanly_on_ctrl_c() -> None:
    server = start_server()
    assert request(server, "GET", "/api/themes")[0] == 200
    code, out = server.stop()
    assert code == 0, out
    assert out.strip().splitlines()[-1] == "briefexport: stopped"


def slow_outline(sections: int = 800) -> str:
    """An outline of many long sections: its PDF takes seconds, well past a short time limit.

    Every paragraph differs (its sentences rotated, its number in it): a warm worker remembers the
    lines of a paragraph it has set, so a repeated one would cost nothing after the first."""
    sentences = ["各地要坚持问题导向，", "细化工作措施，", "压实工作责任，", "确保各项任务落地见效，", "持续推进基层治理，", "不断提升群众满意度。"]

    def paragraph(n: int, part: int) -> str:
        turn = (n + part) % len(sentences)
        return f"第{n}-{part}条：" + "".join(sentences[turn:] + sentences[:turn]) * 6

    return "title: 很长的简报\nsections:\n" + "".join(
        f"  - title: 第{n}部分\n    body:\n      - {paragraph(n, 1)}\n      - {paragraph(n, 2)}\n" for n in range(sections))


def _post_all(server: WebServer, bodies: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """The bodies posted to /api/build at the same time; each answer's status and JSON error."""
    from concurrent.futures import ThreadPoolExecutor

    def post(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        status, headers, data = request(server, "POST", "/api/build", body)
        return status, (json.loads(data)["error"] if headers["content-type"] == "application/json" else {})

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(post, bodies))


def _children(pid: int) -> set[int]:
    """The process's children, whichever of its threads started them."""
    return {int(child) for task in Path(f"/proc/{pid}/task").iterdir() for child in (task / "children").read_text().split()}


def test_busy_and_too_slow_renders_are_answered_503_and_504_and_the_server_goes_on() -> None:
    if not Path("/proc/self/task").is_dir():
        pytest.skip("needs /proc to find the server's workers")
    server = start_server("--workers", "1", "--max-waiting", "0", "--time-limit", "1", own_group=True)
    try:
        slow = {"outline": slow_outline(), "format": "pdf"}
        answers = _post_all(server, [slow] * 4)
        statuses = sorted(status for status, _ in answers)
        assert statuses == [503, 503, 503, 504], answers  # one render at a time, none waiting; that one too slow
        busy = next(error for status, error in answers if status == 503)
        assert busy["message"] == "briefexport: error: the server is busy (at most 1 renders at a time); try again in a moment"
        assert busy["code"] == "busy"
        late = next(error for status, error in answers if status == 504)
        assert late["message"] == "outline.yaml: error: the build took longer than 1 s and was stopped" and late["code"] == "too_slow"
        # the replaced worker serves the next request
        status, headers, pdf = request(server, "POST", "/api/build", {"outline": "title: 简报\n", "format": "pdf"})
        assert status == 200 and pdf.startswith(b"%PDF"), pdf[:200]
        # Ctrl-C to the whole group right after a worker was replaced: the new worker, still
        # starting, ignores it like the first; the server stops cleanly, no traceback from anyone
        first = _children(server.process.pid)
        _post_all(server, [slow])
        deadline = time.monotonic() + 30
        while not _children(server.process.pid) - first and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(0.05)  # the replacement is importing (it takes about a second)
        code, out = server.stop()
        assert code == 0, out
        assert "Traceback" not in out and "KeyboardInterrupt" not in out, out
        assert out.strip().splitlines()[-1] == "briefexport: stopped"
    finally:
        if server.process.poll() is None:
            server.process.kill()


def test_serve_limits_must_be_numbers() -> None:
    done = subprocess.run([sys.executable, "-m", "briefexport", "serve", "--time-limit", "0", "--no-browser"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "expected a positive number of seconds, got '0'" in done.stderr


def test_a_host_elsewhere_is_warned_about(tmp_path: Path) -> None:
    # 192.0.2.1 (TEST-NET-1) is no address of this machine: binding fails after the warning, and nothing is sent.
    done = subprocess.run([sys.executable, "-m", "briefexport", "serve", "--host", "192.0.2.1", "--port", "8765", "--no-browser"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("briefexport: warning: serving on 192.0.2.1: anyone who can reach this machine")
    assert lines[-1].startswith("briefexport: error: cannot serve on 192.0.2.1:8765")


def test_a_word_file_is_imported(web_server: WebServer, render_seed: Any) -> None:
    pytest.importorskip("briefexport.importer.dispatch", reason="Word import comes with the importer's file dispatch")
    docx = Path(render_seed("docx")).read_bytes()  # the briefing as Word, as a colleague would send it
    status, _, body = request(web_server, "POST", "/api/import?filename=" + quote("简报.docx"), docx,
                              {"Content-Type": "application/octet-stream"})
    assert status == 200, body[:300]
    tree = json.loads(body)["tree"]
    assert tree["meta"]["title"] == "今年公安工作怎么干？"
    assert [len(section["items"]) for section in tree["sections"]] == [6, 0, 8, 0]


@pytest.mark.parametrize(("text", "code", "params"), [
    ("title: 标题\ntitel: 错字\n", "unknown_key_close", {"key": "titel", "what": "the outline", "close": "title"}),
    ("title: 标题\ntitle: 又一个\n", "duplicate_key", {"key": "title", "first": "1"}),
    ("title: 标题\nsections:\n  - title: 一\n      body: 缩进错了\n", "yaml_indent_more", {}),
    ("title: 标题\ndate: 2024年13月\n", "bad_date", {"value": "2024年13月"}),
])
def test_outline_errors_carry_a_code_for_the_page(web_server: WebServer, text: str, code: str, params: dict[str, str]) -> None:
    status, error = error_of(request(web_server, "POST", "/api/check", text))
    assert status == 400 and "error:" in error["message"] and (error["code"], error["params"]) == (code, params)
    status, error = error_of(request(web_server, "POST", "/api/build", {"outline": text, "format": "pdf"}))
    assert (error["code"], error["params"]) == (code, params)  # through the engine's worker too


@pytest.mark.parametrize(("theme", "code", "params"), [
    ("extends: handout\nstyles:\n  title:\n    color: red\n", "theme_color", {"value": "red"}),
    ("extends: handout\npage:\n  sise: A4\n", "unknown_key_close", {"key": "sise", "what": "page", "close": "size"}),
    ("extends: handout\nstyles:\n  body:\n    size: 0\n", "theme_range_above", {"key": "size", "low": "0", "high": "1000", "value": "0"}),
])
def test_theme_upload_errors_carry_a_code_for_the_page(web_server: WebServer, imported: dict[str, Any], theme: str, code: str,
                                                       params: dict[str, str]) -> None:
    status, error = error_of(request(web_server, "POST", "/api/build", {"outline": imported["yaml"], "format": "pdf",
                                                                         "theme_file": theme}))
    assert status == 400 and "error:" in error["message"] and error["code"] == code
    assert {name: error["params"].get(name) for name in params} == params

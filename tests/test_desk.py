"""The review desk in a real browser (Debian's Chromium, headless, through Selenium and chromedriver): one desk
served by `briefkit review serve` on the built sample packet for the module, two editors with tokens; each
test corrects its own segment and reads the result back from the memory's SQLite file (one test: PostgreSQL)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docx
import httpx
import pytest
from lxml import etree
from pypdf import PdfReader

from tests.conftest import INPUTS, run_cli
from tests.postgres_server import PostgresServer, free_port
from tests.test_review import xliff_schema
from toolkit.read.memory_location import memory_location
from toolkit.read.packet import load_packet
from toolkit.review.rows import packet_review
from toolkit.translate.memory import EditorNote, TranslationMemory, Unit
from toolkit.translate.segments import markup_as_text

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="the desk's browser tests need Debian's chromium and chromium-driver (apt-get install chromium "
    "chromium-driver; .ci/setup does it)",
)
if CHROMIUM and DRIVER:
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement
    from selenium.webdriver.support.ui import WebDriverWait

PACKET = "inputs/packets/fentanyl-parallel.yaml"
ANA, BEN = "ana-token-0123456789abcdef", "ben-token-0123456789abcdef"
SCREENSHOTS = os.environ.get("BRIEFKIT_SCREENSHOTS")  # a folder (docs/img) to keep the desk's screenshots in
SERIALIZE = """
const walk = (node) => [...node.childNodes].map((c) => c.nodeType === 3 ? c.textContent
  : c.classList.contains('chip') ? (c.dataset.closing === '1' ? `{/${c.dataset.n}}` : `{${c.dataset.n}}`)
  : walk(c)).join('');
return walk(arguments[0]).replace(/\\s+/g, ' ').trim();
"""


@dataclass
class Desk:
    root: Path
    url: str
    memory: Path
    ids: dict[str, str]  # source text -> segment id
    env: dict[str, str]

    def unit(self, segment_id: str) -> Unit:
        memory = TranslationMemory(self.memory, read_only=True)
        try:
            review = packet_review(load_packet(self.root / PACKET), memory)
            row = review.by_id()[segment_id]
            return memory.lookup([row.item.segment.markup], row.pair)[row.item.segment.markup]
        finally:
            memory.close()

    def history_size(self) -> int:
        memory = TranslationMemory(self.memory, read_only=True)
        try:
            return len(memory.all_history()) + len(memory.notes())
        finally:
            memory.close()


def wait_for_port(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the desk stopped: {process.stderr.read() if process.stderr else ''}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("the desk did not start listening")


def start_desk(root: Path, env: dict[str, str], *extra: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "review", "serve", PACKET, "--port", str(port), "--tokens", "tokens.txt",
         "--out", "out", *extra],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    wait_for_port(port, process)
    return process, f"http://127.0.0.1:{port}"


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    root = tmp_path_factory.mktemp("desk")
    shutil.copytree(INPUTS, root / "inputs", ignore=shutil.ignore_patterns(".briefkit"))
    env = {**os.environ, "BRIEFKIT_MODELS": str(root / "none"), "ARGOS_PACKAGES_DIR": str(root / "none")}
    built = run_cli("build", PACKET, "--out", "out", "--format", "docx", cwd=root, env=env)
    assert built.returncode == 0, built.stderr
    packet = load_packet(root / PACKET)
    assert isinstance(packet.memory, Path)
    memory = TranslationMemory(packet.memory)
    try:
        # what a translator did for a sentence like one of the packet's, in another packet
        memory.store(
            [("Launch a national campaign now", "Lanzar una campaña nacional ya")],
            "en-es",
            "reviewed",
            "editor",
            "",
            "Carla Translator",
        )
        ids = {markup_as_text(r.item.segment.markup): r.item.id for r in packet_review(packet, memory).rows}
    finally:
        memory.close()
    (root / "tokens.txt").write_text(f"# the desk's editors\n{ANA} Ana Editor\n{BEN} Ben Editor\n")
    process, url = start_desk(root, env)
    try:
        yield Desk(root, url, packet.memory, ids, env)
    finally:
        stop(process)


def new_browser() -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1500,1000", "--lang=en-US"):  # fmt: skip
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(str(DRIVER)), options=options)


@pytest.fixture(scope="module")
def ana(desk: Desk) -> Iterator[WebDriver]:
    browser = new_browser()
    try:
        browser.get(f"{desk.url}/?token={ANA}")
        yield browser
    finally:
        browser.quit()


def wait(browser: WebDriver, condition: object, timeout: float = 15) -> object:
    return WebDriverWait(browser, timeout).until(condition)  # type: ignore[arg-type]


def open_segment(browser: WebDriver, desk: Desk, source: str) -> WebElement:
    """Click the segment's translation and wait for the panel to show it."""
    if "/packets/" not in browser.current_url:
        browser.get(f"{desk.url}/packets/fentanyl-parallel")
    target = browser.find_element(By.CSS_SELECTOR, f'[data-id="{desk.ids[source]}"] .target')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", target)
    target.click()
    wait(browser, lambda b: b.find_element(By.ID, "context").text != "" and "active" in target_article(target))
    return target


def target_article(target: WebElement) -> str:
    return target.find_element(By.XPATH, "..").get_attribute("class") or ""


def message(browser: WebDriver, contains: str) -> str:
    wait(browser, lambda b: contains in b.find_element(By.ID, "message").text)
    return browser.find_element(By.ID, "message").text


def keys(browser: WebDriver, *chord: str) -> None:
    actions = ActionChains(browser)
    for key in chord[:-1]:
        actions.key_down(key)
    actions.send_keys(chord[-1])
    for key in reversed(chord[:-1]):
        actions.key_up(key)
    actions.perform()


def replace_text(browser: WebDriver, target: WebElement, text: str) -> None:
    keys(browser, Keys.CONTROL, "a")
    target.send_keys(text)


def no_alert(browser: WebDriver) -> bool:
    try:
        browser.switch_to.alert
    except NoAlertPresentException:
        return True
    return False


def test_an_editor_corrects_and_approves_with_the_keyboard(desk: Desk, ana: WebDriver) -> None:
    ana.get(f"{desk.url}/packets/fentanyl-parallel")
    assert ana.find_element(By.CSS_SELECTOR, ".who").text == "Ana Editor"
    articles = ana.find_elements(By.CSS_SELECTOR, ".segment")
    assert len(articles) == len(desk.ids)
    first = articles[0]
    assert first.find_element(By.CSS_SELECTOR, ".source").text.startswith("Op-ed: declare war on")
    keys(ana, Keys.ALT, Keys.ARROW_DOWN)  # the first segment, then the next
    keys(ana, Keys.ALT, Keys.ARROW_DOWN)
    active = ana.find_element(By.CSS_SELECTOR, ".segment.active")
    assert active.get_attribute("data-id") == desk.ids["The argument"]
    wait(ana, lambda b: b.find_element(By.ID, "context").text == "Op-ed: declare war on fentanyl › The argument")
    replace_text(ana, active.find_element(By.CSS_SELECTOR, ".target"), "El argumento")
    keys(ana, Keys.CONTROL, Keys.ENTER)  # save, and on to the next
    message(ana, "Saved: reviewed")
    wait(
        ana,
        lambda b: (
            b.find_element(By.CSS_SELECTOR, ".segment.active").get_attribute("data-id")
            != active.get_attribute("data-id")
        ),
    )
    unit = desk.unit(desk.ids["The argument"])
    assert (unit.target, unit.status, unit.produced_by) == ("El argumento", "reviewed", "Ana Editor")
    assert active.find_element(By.CSS_SELECTOR, ".badge").text == "reviewed"
    assert "1/39 done" in ana.find_element(By.ID, "packet-progress").text

    open_segment(ana, desk, "What it would do")
    keys(ana, Keys.CONTROL, Keys.SHIFT, Keys.ENTER)  # accept the machine's text as final
    message(ana, "Saved: approved")
    assert desk.unit(desk.ids["What it would do"]).status == "approved"
    assert "1 approved" in ana.find_element(By.ID, "packet-progress").text

    ana.find_element(By.CSS_SELECTOR, '.filter[value="approved"]').click()
    shown = [a for a in ana.find_elements(By.CSS_SELECTOR, ".segment") if a.is_displayed()]
    assert [a.get_attribute("data-id") for a in shown] == [desk.ids["What it would do"]]
    ana.find_element(By.CSS_SELECTOR, '.filter[value="approved"]').click()


def test_a_citation_chip_moves_and_is_never_lost(desk: Desk, ana: WebDriver) -> None:
    source = next(s for s in desk.ids if s.startswith("In an opinion piece"))
    target = open_segment(ana, desk, source)
    chip = target.find_element(By.CSS_SELECTOR, '.chip[data-n="2"]')
    assert chip.get_attribute("data-kind") == "cite" and "Lestorti 2024" in chip.text
    # drag it to just after "amenaza"
    x, y = ana.execute_script(
        """const t = arguments[0]; const walker = document.createTreeWalker(t, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) { const at = n.textContent.indexOf('amenaza');
          if (at >= 0) { const r = document.createRange(); r.setStart(n, at + 7); r.setEnd(n, at + 7);
            const box = r.getBoundingClientRect(); const own = t.getBoundingClientRect();
            return [box.left + 1 - (own.left + own.width / 2),
                    box.top + box.height / 2 - (own.top + own.height / 2)]; } }""",
        target,
    )
    ActionChains(ana).click_and_hold(chip).move_to_element_with_offset(target, int(x), int(y)).release().perform()
    text = ana.execute_script(SERIALIZE, target)
    assert re.search(r"amenaza\s?\{2\}", text), text
    assert not re.search(r"por \{1\}, \{2\}", text)
    # Backspace right after the citation is refused; select-all and type puts it back at the end
    ana.execute_script(
        "const r = document.createRange(); r.setStartAfter(arguments[0]); r.collapse(true);"
        "const s = getSelection(); s.removeAllRanges(); s.addRange(r);",
        target.find_element(By.CSS_SELECTOR, '.chip[data-n="2"]'),
    )
    target.send_keys(Keys.BACKSPACE)
    message(ana, "cannot be deleted")
    assert "{2}" in ana.execute_script(SERIALIZE, target)
    replace_text(ana, target, "Un artículo de opinión sostiene que el fentanilo es una amenaza")
    message(ana, "put back at the end")
    text = ana.execute_script(SERIALIZE, target)
    assert text.endswith("{2}"), text
    # Alt+2 puts it at the caret
    ana.execute_script(
        """const t = arguments[0]; const n = t.firstChild; const r = document.createRange();
        r.setStart(n, n.textContent.indexOf(' sostiene')); r.collapse(true);
        const s = getSelection(); s.removeAllRanges(); s.addRange(r);""",
        target,
    )
    keys(ana, Keys.ALT, "2")
    text = ana.execute_script(SERIALIZE, target)
    assert text.startswith("Un artículo de opinión{2} sostiene"), text
    keys(ana, Keys.CONTROL, "s")
    message(ana, "Saved: reviewed")
    unit = desk.unit(desk.ids[source])
    assert unit.target.startswith("Un artículo de opinión<x2/> sostiene que el fentanilo es una amenaza"), unit.target
    assert ana.find_element(By.CSS_SELECTOR, ".segment.active .badge").text == "flagged"  # figures left out


def test_a_fuzzy_match_is_taken_and_goes_into_the_exports(desk: Desk, ana: WebDriver) -> None:
    target = open_segment(ana, desk, "Launch a national campaign")
    match = wait(ana, lambda b: b.find_element(By.CSS_SELECTOR, "#matches .match"))
    assert isinstance(match, WebElement)
    assert match.find_element(By.CSS_SELECTOR, ".similarity").text == "93%"
    assert match.find_element(By.CSS_SELECTOR, ".match-source del").text.strip() == "now"
    assert "Carla Translator" in match.text
    if SCREENSHOTS:
        wait(ana, lambda b: b.find_element(By.ID, "preview").text)
        ana.save_screenshot(str(Path(SCREENSHOTS) / "desk-fuzzy-match.png"))
    keys(ana, Keys.ALT, "m")
    assert ana.execute_script(SERIALIZE, target) == "Lanzar una campaña nacional ya"
    replace_text(ana, target, "Lanzar una campaña nacional")
    keys(ana, Keys.CONTROL, "s")
    message(ana, "Saved")
    assert desk.unit(desk.ids["Launch a national campaign"]).target == "Lanzar una campaña nacional"

    exported = run_cli("review", "export", PACKET, "--out", "review", cwd=desk.root, env=desk.env)
    assert exported.returncode == 0, exported.stderr
    folder = desk.root / "review" / "fentanyl-parallel"
    xliff = etree.parse(str(folder / "fentanyl-parallel.review.xlf"))
    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
    # the segment reviewed now is a match for the seeded sentence's segment, and the seeded unit for it
    (alt,) = xliff.xpath(
        "//x:trans-unit[@id=$id]/x:alt-trans[@origin='translation memory']",
        namespaces=ns,
        id=desk.ids["Launch a national campaign"],
    )
    assert alt.get("match-quality") == "93%"
    assert alt.find("x:target", ns).text == "Lanzar una campaña nacional ya"
    schema = xliff_schema()
    assert schema.validate(xliff), schema.error_log
    notes = "\n".join(cell.text for table in docx.Document(str(folder / "fentanyl-parallel.review.docx")).tables
                      for row in table.rows for cell in row.cells[-1:])  # fmt: skip
    assert "↳ Fuzzy match 93%: Lanzar una campaña nacional ya" in notes


def test_notes_are_added_resolved_and_never_run_as_script(desk: Desk, ana: WebDriver) -> None:
    open_segment(ana, desk, "Proposal")
    hostile = '<script>alert("note")</script><img src=x onerror=alert(2)> “Propuesta” reads better'
    ana.find_element(By.ID, "note-text").send_keys(hostile)
    ana.find_element(By.ID, "add-note").click()
    wait(ana, lambda b: "reads better" in b.find_element(By.ID, "notes").text)
    notes = ana.find_element(By.ID, "notes")
    assert hostile in notes.text and "Ana Editor" in notes.text
    assert not notes.find_elements(By.CSS_SELECTOR, "script, img") and no_alert(ana)
    memory = TranslationMemory(desk.memory, read_only=True)
    try:
        (note,) = [n for n in memory.notes("en-es") if n.segment == desk.ids["Proposal"]]
    finally:
        memory.close()
    assert (note.text, note.author, note.origin, note.resolved) == (hostile, "Ana Editor", "desk", False)
    notes.find_element(By.CSS_SELECTOR, ".resolve").click()
    wait(ana, lambda b: b.find_elements(By.CSS_SELECTOR, "#notes .note.resolved"))
    memory = TranslationMemory(desk.memory, read_only=True)
    try:
        assert [n.resolved for n in memory.notes("en-es") if n.segment == desk.ids["Proposal"]] == [True]
    finally:
        memory.close()
    ana.refresh()  # and as the page renders it from the server
    article = ana.find_element(By.CSS_SELECTOR, f'[data-id="{desk.ids["Proposal"]}"]')
    assert article.get_attribute("data-notes") == "1" and no_alert(ana)


def test_a_script_in_a_target_is_refused_and_shown_as_text(desk: Desk, ana: WebDriver) -> None:
    before = desk.unit(desk.ids["Context"])
    target = open_segment(ana, desk, "Context")
    replace_text(ana, target, '<script>alert("target")</script><b>Contexto</b>')
    wait(ana, lambda b: "will not save: the translation contains HTML" in b.find_element(By.ID, "findings").text)
    keys(ana, Keys.CONTROL, "s")
    assert "write plain text" in message(ana, "write plain text")
    assert desk.unit(desk.ids["Context"]) == before and no_alert(ana)
    assert not ana.find_elements(By.CSS_SELECTOR, ".target script, .target b, #preview script")


def test_two_editors_change_one_segment(desk: Desk, ana: WebDriver) -> None:
    ben = new_browser()
    try:
        ben.get(f"{desk.url}/?token={BEN}")
        ben_target = open_segment(ben, desk, "Assessment")
        ana_target = open_segment(ana, desk, "Assessment")  # both start from the machine's text
        replace_text(ben, ben_target, "Valoración de Ben")
        keys(ben, Keys.CONTROL, "s")
        message(ben, "Saved")
    finally:
        ben.quit()
    replace_text(ana, ana_target, "Valoración de Ana")
    keys(ana, Keys.CONTROL, "s")
    shown = message(ana, "Conflict")
    assert "Ben Editor" in shown and "nothing was overwritten" in shown and "Valoración de Ben" in shown
    assert desk.unit(desk.ids["Assessment"]).target == "Valoración de Ben"
    if SCREENSHOTS:
        ana.save_screenshot(str(Path(SCREENSHOTS) / "desk-conflict.png"))
    ana.find_element(By.XPATH, "//button[starts-with(., 'Keep mine')]").click()
    keys(ana, Keys.CONTROL, "s")
    message(ana, "Saved")
    unit = desk.unit(desk.ids["Assessment"])
    assert (unit.target, unit.produced_by) == ("Valoración de Ana", "Ana Editor")


def test_rebuild_prints_the_correction(desk: Desk, ana: WebDriver) -> None:
    target = open_segment(ana, desk, "Evidence from communities")
    replace_text(ana, target, "Pruebas de las comunidades")
    keys(ana, Keys.CONTROL, "s")
    message(ana, "Saved")
    wait(ana, lambda b: "Pruebas de las comunidades" in b.find_element(By.ID, "preview").text)
    ana.find_element(By.ID, "rebuild").click()
    wait(ana, lambda b: "rebuilt" in b.find_element(By.ID, "rebuild-state").text, timeout=120)
    assert "fentanyl-parallel.pdf" in ana.find_element(By.ID, "rebuild-state").text
    pdf = PdfReader(desk.root / "out" / "fentanyl-parallel" / "fentanyl-parallel.pdf")
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Pruebas de las comunidades" in text and "El argumento" in text
    if SCREENSHOTS:
        ana.execute_script("window.scrollTo(0, 0)")
        ana.save_screenshot(str(Path(SCREENSHOTS) / "desk.png"))


def test_forged_requests_and_paths_are_refused(desk: Desk) -> None:
    before = desk.history_size()
    segment = desk.ids["Three proposals"]
    api = f"{desk.url}/api/packets/fentanyl-parallel/segments/{segment}"
    body = {"text": "Tres propuestas falsas", "status": "approved", "base": "", "english": ""}
    with httpx.Client() as anyone:
        assert anyone.post(api + "/save", json=body).status_code == 403  # no editor's token
        assert anyone.get(f"{desk.url}/packets/fentanyl-parallel").status_code == 403
        assert anyone.get(f"{desk.url}/?token=not-a-token-of-the-desk").status_code == 403
    with httpx.Client(follow_redirects=False) as browser:  # logged in, as a page from another site would be
        login = browser.get(f"{desk.url}/?token={ANA}")
        assert login.status_code == 303 and "briefkit_desk" in login.cookies
        assert (
            "httponly" in login.headers["set-cookie"].lower()
            and "samesite=strict" in login.headers["set-cookie"].lower()
        )
        assert browser.post(api + "/save", json=body).status_code == 403  # no CSRF token
        assert browser.post(api + "/save", json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
        csrf = browser.get(f"{desk.url}/api/session").json()["csrf"]
        headers = {"X-CSRF-Token": csrf}
        other_site = {**headers, "Origin": "http://evil.example"}
        assert browser.post(api + "/notes", json={"text": "x"}, headers=other_site).status_code == 403
        for path in ("..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "fentanyl-parallel%2F..%2F..%2Ftokens.txt"):
            answer = browser.post(f"{desk.url}/api/packets/{path}/segments/{segment}/save", json=body, headers=headers)
            assert answer.status_code == 404, path
        answer = browser.post(f"{desk.url}/api/packets/fentanyl-parallel/segments/..%2F..%2Ftokens.txt/notes",
                              json={"text": "x"}, headers=headers)  # fmt: skip
        assert answer.status_code == 404
        answer = browser.post(f"{desk.url}/api/packets/{Path('/tmp').as_posix()}/rebuild", json={}, headers=headers)
        assert answer.status_code == 404
        answer = browser.post(api + "/notes", json={"text": "x", "path": "/etc/passwd"}, headers=headers)
        assert answer.status_code == 400 and "paths" in answer.json()["error"]
        answer = browser.post(
            f"{desk.url}/api/packets/fentanyl-parallel/rebuild", json={"out": "/tmp"}, headers=headers
        )
        assert answer.status_code == 400
        page = browser.get(f"{desk.url}/packets/fentanyl-parallel")
        assert "script-src" not in page.headers["content-security-policy"]  # default-src 'self': no inline script
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        assert "<script>" not in page.text and 'type="module" src="/static/desk.js"' in page.text
    assert desk.history_size() == before


def test_bad_arguments_are_one_line(desk: Desk) -> None:
    port = int(desk.url.rsplit(":", 1)[1])
    in_use = run_cli("review", "serve", PACKET, "--port", str(port), cwd=desk.root, env=desk.env)
    assert in_use.returncode == 1 and in_use.stderr.strip() == (
        f"error: port {port} on 127.0.0.1 is in use (give another with --port)"
    )
    missing = run_cli("review", "serve", "inputs/packets/nope.yaml", cwd=desk.root, env=desk.env)
    assert missing.returncode == 1 and len(missing.stderr.strip().splitlines()) == 1
    assert "nope.yaml" in missing.stderr
    shared = run_cli("review", "serve", PACKET, "--host", "0.0.0.0", cwd=desk.root, env=desk.env)
    assert shared.returncode == 1 and "--tokens FILE" in shared.stderr


def text_of(found: list[dict[str, object]]) -> str:
    return "".join(str(piece.get("text", "")) for piece in found)


def test_an_edited_summary_and_another_process_s_memory_write_are_seen(desk: Desk) -> None:
    """The desk keeps what it read of the summaries between requests: an edit on disk is seen on the next
    request, even one of the same size with the old modification time put back; the memory, written by a
    process other than the desk's, is never kept."""
    summary = desk.root / "inputs" / "summaries" / "fentanyl-war.md"
    original, stat = summary.read_text(), summary.stat()
    heading = desk.ids["What happened"]
    address = f"{desk.url}/api/packets/fentanyl-parallel/segments/"
    with httpx.Client(headers={"Authorization": f"Bearer {ANA}"}) as client:

        def page_ids() -> set[str]:
            return set(re.findall(r'data-id="([^"]+)"', client.get(f"{desk.url}/packets/fentanyl-parallel").text))

        assert page_ids() == set(desk.ids.values())  # read, and kept
        try:
            summary.write_text(original.replace("The piece is advocacy.", "The piece is ADVOCACY."))
            os.utime(summary, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same time: only the text differs
            changed = page_ids() - set(desk.ids.values())
            assert len(changed) == 1 and page_ids() - changed <= set(desk.ids.values())
            (added,) = changed
            assert "The piece is ADVOCACY." in text_of(client.get(address + added).json()["source_as_target"])
            summary.write_bytes(b"---\ntitle: [unclosed\n---\n\nText.\n")  # unreadable now: one line, no traceback
            broken = client.get(f"{desk.url}/packets/fentanyl-parallel")
            assert broken.status_code == 400 and "fentanyl-war.md" in broken.text and "Traceback" not in broken.text
        finally:
            summary.write_text(original)
        assert page_ids() == set(desk.ids.values())
        assert client.get(address + added).status_code == 404  # that sentence is gone again

        memory = TranslationMemory(desk.memory)
        try:
            row = packet_review(load_packet(desk.root / PACKET), memory).by_id()[heading]
            markup = row.item.segment.markup
            memory.store([(markup, "Lo que pasó, según otro proceso")], row.pair, "approved", "editor", "", "Other")
            memory.add_notes(
                [EditorNote(heading, markup, "Other", "2026-12-01T10:00:00+00:00", "Written elsewhere")], row.pair
            )
        finally:
            memory.close()
        detail = client.get(address + heading).json()
        assert detail["status"] == "approved" and [n["text"] for n in detail["notes_list"]] == ["Written elsewhere"]
        assert text_of(detail["target"]) == "Lo que pasó, según otro proceso"
        page = client.get(f"{desk.url}/packets/fentanyl-parallel").text
        article = re.search(rf'<article[^>]*data-id="{heading}".*?</article>', page, re.S)
        assert article is not None and "Lo que pasó, según otro proceso" in article.group(0)
        assert 'data-status="approved"' in article.group(0)


def test_two_editors_on_postgresql(postgres: PostgresServer, tmp_path: Path) -> None:
    shutil.copytree(INPUTS, tmp_path / "inputs", ignore=shutil.ignore_patterns(".briefkit"))
    env = {**os.environ, "BRIEFKIT_MODELS": str(tmp_path / "none"), "ARGOS_PACKAGES_DIR": str(tmp_path / "none")}
    url = postgres.new_database()
    built = run_cli("build", PACKET, "--out", "out", "--format", "docx", "--memory", url, cwd=tmp_path, env=env)
    assert built.returncode == 0, built.stderr
    (tmp_path / "tokens.txt").write_text(f"{ANA} Ana Editor\n{BEN} Ben Editor\n")
    process, address = start_desk(tmp_path, env, "--memory", url)
    try:
        segment = f"{address}/api/packets/fentanyl-parallel/segments/"
        editors = {}
        for token in (ANA, BEN):
            client = httpx.Client(headers={"Authorization": f"Bearer {token}"})
            client.headers["X-CSRF-Token"] = client.get(f"{address}/api/session").json()["csrf"]
            editors[token] = client
        page = editors[ANA].get(f"{address}/packets/fentanyl-parallel").text
        first = re.search(r'data-id="(military-directive-cartels-[0-9a-f]{6})"', page)
        assert first is not None
        started = {t: c.get(segment + first.group(1)).json() for t, c in editors.items()}
        assert started[ANA]["base"] == started[BEN]["base"] != ""

        def save(token: str, text: str) -> httpx.Response:
            seen = started[token]
            body = {"text": text, "status": "reviewed", "base": seen["base"], "english": seen["english"]}
            return editors[token].post(segment + first.group(1) + "/save", json=body)

        tokens = " ".join(started[ANA]["required"])
        assert save(ANA, f"Ana: {tokens}").status_code == 200
        conflict = save(BEN, f"Ben: {tokens}")
        assert conflict.status_code == 409 and conflict.json()["conflict"]["theirs_by"].startswith("Ana Editor")
        memory = TranslationMemory(memory_location(url, "--memory"), read_only=True)
        try:
            versions = memory.history_of_context("en-es", first.group(1))
        finally:
            memory.close()
        people = [(v.unit.produced_by, v.unit.target[:4]) for v in versions if v.change.startswith("import:")]
        assert people == [("Ana Editor", "Ana:")]
        for client in editors.values():
            client.close()
    finally:
        stop(process)

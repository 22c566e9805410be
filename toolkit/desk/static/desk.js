// The review desk's page: one contenteditable target per segment, tokens as chips that move but are never
// lost, and a panel for the active segment (QA, glossary, fuzzy matches, preview, notes, concordance).
// Every text from the server is set with textContent; only the preview, which the server renders through
// the PDF's HTML writer (all text escaped), is set as HTML.

const csrf = document.querySelector('meta[name="csrf-token"]').content;
const packetId = document.querySelector('meta[name="packet-id"]').content;
const $ = (id) => document.getElementById(id);
let active = null; // {article, target, detail}
let timer = null;

async function api(method, url, body) {
  const options = { method, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  let data = {};
  try { data = await response.json(); } catch { data = { error: `the desk answered ${response.status}` }; }
  return { status: response.status, data };
}

const segmentUrl = (id) => `/api/packets/${encodeURIComponent(packetId)}/segments/${encodeURIComponent(id)}`;
const tokenOf = (chip) => (chip.dataset.closing === "1" ? `{/${chip.dataset.n}}` : `{${chip.dataset.n}}`);
const chipsOf = (target) => [...target.querySelectorAll(".chip")];

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function makeChip(piece) {
  const chip = el("span", `chip chip-${piece.kind}${piece.closing ? " chip-close" : ""}`, piece.shown);
  chip.contentEditable = "false";
  chip.dataset.n = String(piece.n);
  chip.dataset.closing = piece.closing ? "1" : "0";
  chip.dataset.kind = piece.kind;
  chip.title = `token ${piece.n}: ${piece.kind}${piece.label ? ": " + piece.label : ""}`;
  return chip;
}

function renderPieces(container, pieces) {
  container.replaceChildren(
    ...pieces.map((p) => (p.n ? makeChip(p) : p.unknown ? el("mark", "unknown", p.text) : document.createTextNode(p.text)))
  );
}

// The target as the editor's text: words, and tokens as {n} / {/n}.
function serialize(target) {
  let text = "";
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) text += child.textContent.replace(/\u00a0/g, " ");
      else if (child.classList && child.classList.contains("chip")) text += tokenOf(child);
      else if (child.nodeName === "BR") text += " ";
      else walk(child);
    }
  };
  walk(target);
  return text.replace(/\s+/g, " ").trim();
}

function say(text, kind = "info") {
  const box = $("message");
  box.className = `message message-${kind}`;
  box.replaceChildren();
  if (typeof text === "string") box.textContent = text;
  else box.append(...text);
}

// --- chips: never lost ------------------------------------------------------------------------------

function required(article) {
  return article.dataset.required ? article.dataset.required.split(" ") : [];
}

function chipTemplate(token) {
  const piece = (active.detail?.source_as_target || []).find(
    (p) => p.n && (p.closing ? `{/${p.n}}` : `{${p.n}}`) === token
  );
  return piece ? makeChip(piece) : null;
}

function restoreChips() {
  if (!active) return;
  const present = new Set(chipsOf(active.target).map(tokenOf));
  const missing = required(active.article).filter((t) => !present.has(t));
  for (const token of missing) {
    const chip = chipTemplate(token);
    if (chip) active.target.append(" ", chip);
  }
  if (missing.length) {
    say(`Tokens cannot be deleted: ${missing.join(" ")} put back at the end. Drag a token, or press Alt+its number, to move it.`, "warning");
  }
}

document.addEventListener("beforeinput", (event) => {
  const target = event.target.closest && event.target.closest(".target");
  if (!target || !event.inputType.startsWith("delete")) return;
  const article = target.closest(".segment");
  const keep = new Set(required(article));
  const ranges = event.getTargetRanges();
  for (const staticRange of ranges) {
    const range = document.createRange();
    range.setStart(staticRange.startContainer, staticRange.startOffset);
    range.setEnd(staticRange.endContainer, staticRange.endOffset);
    const hit = chipsOf(target).find((chip) => keep.has(tokenOf(chip)) && range.intersectsNode(chip));
    if (hit) {
      event.preventDefault();
      say(`Token ${hit.dataset.n} (${hit.dataset.kind}) cannot be deleted: drag it, or press Alt+${hit.dataset.n}, to move it.`, "warning");
      return;
    }
  }
});

function placeAtCaret(node) {
  const selection = window.getSelection();
  if (!selection.rangeCount || !active.target.contains(selection.anchorNode)) {
    active.target.append(node);
    return;
  }
  const range = selection.getRangeAt(0);
  range.collapse(true);
  const inChip = range.startContainer.parentElement?.closest(".chip");
  if (inChip) range.setStartAfter(inChip);
  range.insertNode(node);
  range.setStartAfter(node);
  range.collapse(true);
  selection.removeAllRanges();
  selection.addRange(range);
}

function putToken(n) {
  let chip = chipsOf(active.target).find((c) => c.dataset.n === String(n) && c.dataset.closing === "0");
  if (!chip) chip = chipTemplate(`{${n}}`);
  if (!chip) return say(`This segment has no token ${n}.`, "warning");
  placeAtCaret(chip);
  changed();
}

// Dragging a chip with the pointer: it goes where the pointer is released, inside its own target.
let dragging = null;
document.addEventListener("pointerdown", (event) => {
  const chip = event.target.closest && event.target.closest(".target .chip");
  if (!chip) return;
  event.preventDefault();
  dragging = chip;
  chip.classList.add("dragging");
});
document.addEventListener("pointerup", (event) => {
  if (!dragging) return;
  const chip = dragging;
  dragging = null;
  chip.classList.remove("dragging");
  const target = chip.closest(".target");
  const range = document.caretRangeFromPoint(event.clientX, event.clientY);
  if (!range || !target.contains(range.startContainer)) return;
  const inChip = range.startContainer.nodeType === Node.ELEMENT_NODE
    ? range.startContainer.closest(".chip")
    : range.startContainer.parentElement.closest(".chip");
  if (inChip === chip) return;
  if (inChip) range.setStartAfter(inChip);
  range.insertNode(chip);
  target.normalize();
  changed();
});

// --- the active segment -----------------------------------------------------------------------------

function fillList(list, items, make) {
  list.replaceChildren(...items.map(make));
  if (!items.length) list.append(el("li", "none", "none"));
}

function showFindings(findings, refused) {
  const items = refused ? [{ severity: "refused", message: `will not save: ${refused}` }, ...findings] : findings;
  fillList($("findings"), items, (f) => el("li", `finding finding-${f.severity}`, f.message));
  active.article.dataset.qa = findings.length || refused ? "1" : "0";
}

function showWordState() {
  const draft = serialize(active.target).toLowerCase();
  const unknown = active.detail.unknown;
  $("unknown-box").hidden = !unknown.length;
  $("unknown").replaceChildren(
    ...unknown.map((w) => el("span", draft.includes(w.toLowerCase()) ? "word still" : "word gone", w))
  );
  const hints = active.detail.hints;
  $("hints-box").hidden = !hints.length;
  fillList($("hints"), hints, (h) => {
    const used = draft.includes(h.translation.toLowerCase());
    const item = el("li", used ? "hint used" : "hint");
    item.append(el("b", "", h.term), " → ", el("span", "", h.translation), used ? el("span", "ok", " ✓") : "");
    if (h.note) item.append(el("small", "", ` (${h.note})`));
    return item;
  });
}

function showMatches() {
  fillList($("matches"), active.detail.matches, (m, i) => {
    const item = el("li", "match");
    const head = el("div", "match-head");
    head.append(el("span", "similarity", `${m.similarity}%`), el("span", "by", `${m.status} · ${m.by}`));
    const use = el("button", "use", i === 0 ? "Use (Alt+M)" : "Use");
    use.type = "button";
    use.addEventListener("click", () => takeMatch(i));
    head.append(use);
    const source = el("div", "match-source");
    for (const d of m.differences) source.append(d.change === "same" ? document.createTextNode(d.text) : el(d.change === "added" ? "ins" : "del", "", d.text));
    item.append(head, source, el("div", "match-target", m.target_text));
    return item;
  });
}

function showNotes() {
  fillList($("notes"), active.detail.notes_list, (note) => {
    const item = el("li", note.resolved ? "note resolved" : "note");
    item.append(el("span", "note-who", `${note.author}, ${note.at.replace("T", " ").slice(0, 16)}`), el("p", "note-text", note.text));
    if (!note.resolved) {
      const button = el("button", "resolve", "Resolve");
      button.type = "button";
      button.addEventListener("click", () => resolveNote(note));
      item.append(button);
    } else item.append(el("span", "resolved-mark", "resolved"));
    return item;
  });
}

async function activate(article) {
  if (active && active.article === article) return;
  document.querySelectorAll(".segment.active").forEach((a) => a.classList.remove("active"));
  article.classList.add("active");
  active = { article, target: article.querySelector(".target"), detail: null };
  $("panel-empty").hidden = true;
  $("panel-body").hidden = false;
  say("");
  const { status, data } = await api("GET", segmentUrl(article.dataset.id));
  if (active.article !== article) return;
  if (status !== 200) return say(data.error || "could not load the segment", "error");
  active.detail = data;
  $("context").textContent = data.context;
  fillList($("findings"), data.findings, (f) => el("li", "finding", f));
  showWordState();
  showMatches();
  showNotes();
  runChecks();
}

function focusSegment(article) {
  if (!article) return;
  const target = article.querySelector(".target");
  target.focus();
  const range = document.createRange();
  range.selectNodeContents(target);
  range.collapse(false);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  article.scrollIntoView({ block: "center" });
  activate(article);
}

function step(direction) {
  const shown = [...document.querySelectorAll(".segment:not([hidden])")];
  const here = active ? shown.indexOf(active.article) : -1;
  focusSegment(shown[here + direction] || (here < 0 ? shown[0] : null));
}

function changed() {
  if (!active) return;
  restoreChips();
  if (active.detail) showWordState();
  clearTimeout(timer);
  timer = setTimeout(runChecks, 350);
}

async function runChecks() {
  if (!active || !active.detail) return;
  const article = active.article;
  const text = serialize(active.target);
  const [check, preview] = await Promise.all([
    api("POST", segmentUrl(article.dataset.id) + "/check", { text }),
    api("POST", segmentUrl(article.dataset.id) + "/preview", { text }),
  ]);
  if (!active || active.article !== article) return;
  if (check.status === 200) showFindings(check.data.findings, check.data.refused);
  const box = $("preview");
  if (preview.status === 200) {
    box.innerHTML = preview.data.html; // escaped by the server's PDF writer
    box.querySelectorAll(".footnote").forEach((note) => box.append(note)); // at the foot, as the page has it
  }
  else box.replaceChildren(el("p", "preview-error", preview.data.error || "no preview"));
}

function setProgress(container, counts) {
  if (!container || !counts) return;
  container.querySelector("progress").value = counts.done;
  container.querySelector("progress").max = counts.segments;
  container.querySelector(".progress-text").textContent = `${counts.done}/${counts.segments} done · ${counts.approved} approved`;
}

function showSegment(article, segment) {
  article.dataset.base = segment.base;
  article.dataset.status = segment.status;
  article.dataset.notes = String(segment.notes);
  article.className = article.className.replace(/status-\S+/, `status-${segment.status}`);
  article.querySelector(".badge").textContent = segment.status_label;
}

async function save(status, next) {
  if (!active) return;
  const article = active.article;
  const text = serialize(active.target);
  const { status: code, data } = await api("POST", segmentUrl(article.dataset.id) + "/save", {
    text, status, base: article.dataset.base, english: article.dataset.english,
  });
  if (code === 409) {
    const c = data.conflict;
    const keep = el("button", "", "Keep mine (save again over theirs)");
    keep.type = "button";
    keep.addEventListener("click", () => {
      article.dataset.base = data.segment.base;
      say("Yours is kept in the editor: save again (Ctrl+S) to put it over theirs.");
      active.target.focus();
    });
    const take = el("button", "", "Take theirs");
    take.type = "button";
    take.addEventListener("click", () => {
      showSegment(article, data.segment);
      renderPieces(active.target, data.segment.target);
      say("Theirs taken.");
      active.target.focus();
      changed();
    });
    say([el("strong", "", `Conflict: ${data.message}.`), el("div", "", `Theirs (${c.theirs_by.split(", ")[0]}): ${c.theirs}`),
      el("div", "", `Yours: ${c.yours}`), keep, take], "error");
    article.classList.add("conflict");
    return;
  }
  if (code !== 200) {
    say(data.error || data.message || "not saved", "error");
    restoreChips();
    return;
  }
  article.classList.remove("conflict");
  showSegment(article, data.segment);
  renderPieces(active.target, data.segment.target);
  setProgress(article.closest(".summary").querySelector(".summary-progress"), data.summary_counts);
  setProgress($("packet-progress"), data.total);
  if (next) step(1); // the message stays, about the segment just saved
  const flagged = data.flagged.length ? ` — stored, and flagged: ${data.flagged.join("; ")}` : "";
  const saved = data.result === "stored" ? `Saved: ${status}${flagged}` : "Nothing changed.";
  say(next ? `${saved} (${article.dataset.id})` : saved, data.flagged.length ? "warning" : "ok");
}

function takeMatch(i) {
  const match = active?.detail?.matches[i];
  if (!match) return say("No fuzzy match for this segment.", "warning");
  renderPieces(active.target, match.take);
  say(`Took the ${match.similarity}% match: check the words that differ.`);
  changed();
}

function copySource() {
  renderPieces(active.target, active.detail.source_as_target);
  changed();
}

async function addNote() {
  const text = $("note-text").value;
  if (!active || !text.trim()) return;
  const { status, data } = await api("POST", segmentUrl(active.article.dataset.id) + "/notes", { text });
  if (status !== 200) return say(data.error, "error");
  $("note-text").value = "";
  await refreshDetail();
}

async function resolveNote(note) {
  const { status, data } = await api("POST", segmentUrl(active.article.dataset.id) + "/notes/resolve",
    { author: note.author, at: note.at, text: note.text });
  if (status !== 200) return say(data.error, "error");
  await refreshDetail();
}

async function refreshDetail() {
  const { status, data } = await api("GET", segmentUrl(active.article.dataset.id));
  if (status !== 200) return;
  active.detail = data;
  active.article.dataset.notes = String(data.notes);
  const mark = active.article.querySelector(".note-mark") || active.article.querySelector(".state").appendChild(el("span", "note-mark"));
  mark.textContent = data.open_notes ? `✎ ${data.open_notes} open` : "✎ resolved";
  showNotes();
}

// --- concordance, filters, rebuild ------------------------------------------------------------------

function marked(text, query) {
  const span = el("span");
  const lower = text.toLowerCase();
  const q = query.toLowerCase();
  let pos = 0;
  for (let at = lower.indexOf(q); q && at >= 0; at = lower.indexOf(q, pos)) {
    span.append(text.slice(pos, at), el("mark", "", text.slice(at, at + q.length)));
    pos = at + q.length;
  }
  span.append(text.slice(pos));
  return span;
}

let searchTimer = null;
$("concordance").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(async () => {
    const q = $("concordance").value.trim();
    const { data } = await api("GET", `/api/packets/${encodeURIComponent(packetId)}/concordance?q=${encodeURIComponent(q)}`);
    fillList($("hits"), data.hits || [], (hit) => {
      const item = el("li", "hit");
      item.append(el("span", "hit-pair", `${hit.pair} · ${hit.status}`), el("div", "", ""), el("div", "", ""));
      item.children[1].append(marked(hit.source, q));
      item.children[2].append(marked(hit.target, q));
      return item;
    });
  }, 300);
});

function applyFilters() {
  const wanted = [...document.querySelectorAll(".filter:checked")].map((f) => f.value);
  let shown = 0;
  const all = document.querySelectorAll(".segment");
  for (const article of all) {
    const s = article.dataset.status;
    const show = !wanted.length || wanted.some((w) =>
      w === "qa" ? article.dataset.qa === "1" || s === "flagged" : w === "notes" ? article.dataset.notes !== "0" : w === s);
    article.hidden = !show;
    shown += show ? 1 : 0;
  }
  $("shown-count").textContent = `${shown} of ${all.length} shown`;
}
document.querySelectorAll(".filter").forEach((f) => f.addEventListener("change", applyFilters));

async function pollRebuild() {
  const { data } = await api("GET", `/api/packets/${encodeURIComponent(packetId)}/rebuild`);
  const state = $("rebuild-state");
  if (data.state === "running") {
    const [done, total] = data.translated;
    state.textContent = `rebuilding: ${data.current}${total ? ` (${done}/${total})` : ""}…`;
    state.className = "running";
    setTimeout(pollRebuild, 600);
  } else if (data.state === "done") {
    state.textContent = `rebuilt in ${data.seconds} s: ${data.files.join(", ")}`;
    state.className = "done";
    $("rebuild").disabled = false;
  } else if (data.state === "failed") {
    state.textContent = `rebuild failed: ${data.message}`;
    state.className = "failed";
    $("rebuild").disabled = false;
  }
}
$("rebuild").addEventListener("click", async () => {
  $("rebuild").disabled = true;
  const { status, data } = await api("POST", `/api/packets/${encodeURIComponent(packetId)}/rebuild`, {});
  if (status !== 202) { $("rebuild").disabled = false; return say(data.error, "error"); }
  pollRebuild();
});

// --- events and keys --------------------------------------------------------------------------------

document.addEventListener("focusin", (event) => {
  const article = event.target.closest && event.target.closest(".segment");
  if (article && event.target.classList.contains("target")) activate(article);
});
document.addEventListener("input", (event) => { if (event.target.classList?.contains("target")) changed(); });
$("add-note").addEventListener("click", addNote);

document.addEventListener("keydown", (event) => {
  const inTarget = active && document.activeElement === active.target;
  if (event.altKey && event.key === "ArrowDown") { event.preventDefault(); step(1); return; }
  if (event.altKey && event.key === "ArrowUp") { event.preventDefault(); step(-1); return; }
  if (!inTarget) return;
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
    event.preventDefault();
    save(event.shiftKey ? "approved" : "reviewed", true);
  } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
    event.preventDefault();
    save("reviewed", false);
  } else if (event.altKey && event.code === "KeyC") {
    event.preventDefault();
    copySource();
  } else if (event.altKey && event.code === "KeyM") {
    event.preventDefault();
    takeMatch(0);
  } else if (event.altKey && /^Digit[1-9]$/.test(event.code)) {
    event.preventDefault();
    putToken(Number(event.code.slice(5)));
  }
});

applyFilters();

// The chat page with JavaScript: asks /api/chat with the whole conversation, keeps the conversation in
// sessionStorage (it survives a reload in the same tab), and never reloads the page.
// Its filters (dates, source, newest first, time words in the question) are the form's own fields: they
// go into every /api/chat body, persist in sessionStorage with the conversation and show as chips, a
// click on one clears its filter without asking. Every text from articles or users goes in through
// textContent, never as HTML.
(function () {
  "use strict";
  const STORE = "qa.chat.v1";
  const FILTER_STORE = "qa.chat.filters.v1";
  const TOP_K = 3;
  const form = document.getElementById("ask-form");
  const input = document.getElementById("question");
  const button = document.getElementById("send");
  const newForm = document.getElementById("new-form");
  const conversation = document.getElementById("conversation");
  const status = document.getElementById("status");
  const TEXTS = JSON.parse(document.getElementById("texts").textContent);
  const chips = document.getElementById("chips");
  const fields = {
    date_from: document.getElementById("date-from"),
    date_to: document.getElementById("date-to"),
    source: document.getElementById("source"),
    newest: document.getElementById("newest"),
    timeOff: document.getElementById("time-from-question"),
  };
  let turns = load();
  let busy = false;

  function load() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORE) || "[]");
      return Array.isArray(saved) ? saved : [];
    } catch (error) {
      return [];
    }
  }

  function save() {
    try {
      sessionStorage.setItem(STORE, JSON.stringify(turns));
    } catch (error) {
      // storage full or disabled: the conversation still works until the tab reloads
    }
  }

  function loadFilters() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(FILTER_STORE) || "null");
      return saved && typeof saved === "object" ? saved : null;
    } catch (error) {
      return null;
    }
  }

  function saveFilters() {
    try {
      sessionStorage.setItem(FILTER_STORE, JSON.stringify(filters()));
    } catch (error) {
      // as for the conversation: the filters still apply until the tab reloads
    }
  }

  // The filters as the form holds them, in the shape of /api/chat's fields.
  function filters() {
    return {
      date_from: fields.date_from.value,
      date_to: fields.date_to.value,
      sources: fields.source.value ? [fields.source.value] : [],
      sort: fields.newest.checked ? "date" : "relevance",
      time_from_question: fields.timeOff.value !== "false",
    };
  }

  function setFilters(saved) {
    fields.date_from.value = saved.date_from || "";
    fields.date_to.value = saved.date_to || "";
    const source = Array.isArray(saved.sources) && typeof saved.sources[0] === "string" ? saved.sources[0] : "";
    if (source && !Array.from(fields.source.options).some((option) => option.value === source)) {
      const option = document.createElement("option");  // a source beyond the listed largest ones
      option.value = source;
      option.textContent = source;
      fields.source.append(option);
    }
    fields.source.value = source;
    fields.newest.checked = saved.sort === "date";
    fields.timeOff.value = saved.time_from_question === false ? "false" : "";
  }

  // Only the fields that narrow or reorder go into the body; the server checks them as it checks /api/chat's.
  function filterFields() {
    const f = filters();
    const body = {};
    if (f.date_from) body.date_from = f.date_from;
    if (f.date_to) body.date_to = f.date_to;
    if (f.sources.length) body.sources = f.sources;
    if (f.sort === "date") body.sort = "date";
    if (!f.time_from_question) body.time_from_question = false;
    return body;
  }

  function shownDate(value, t) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!match) return value;
    return t.date_format.replace("{year}", match[1]).replace("{month}", match[2]).replace("{day}", match[3]);
  }

  // What the last answer read from its question's words, as qa.web.page_filters.read_from_question says it.
  function readFromQuestion(answer) {
    const applied = answer && answer.applied;
    if (!applied) return "";
    const understood = typeof applied.understood === "string" ? applied.understood : "";
    if (typeof applied.recency !== "number") return understood;
    const t = texts(answer.language);
    const note = t.chip_recency.replace("{days}", String(applied.recency));
    return understood ? understood + "; " + note : t.understood + ": " + note;
  }

  // The chips the server draws for the same filters (qa.web.page_filters.FormFilters.chips).
  function renderChips() {
    const t = texts(document.documentElement.lang);
    const f = filters();
    const active = [];
    if (f.date_from) active.push(["date_from", t.chip_from.replace("{date}", shownDate(f.date_from, t))]);
    if (f.date_to) active.push(["date_to", t.chip_to.replace("{date}", shownDate(f.date_to, t))]);
    if (f.sources.length) active.push(["sources", t.chip_source.replace("{source}", f.sources.join(", "))]);
    if (f.sort === "date") active.push(["sort", t.newest_first]);
    const understood = readFromQuestion(turns[turns.length - 1]);
    if (!f.time_from_question) active.push(["time_from_question", t.chip_time_off]);
    else if (understood) active.push(["understood", understood]);
    chips.replaceChildren(...active.map(([remove, label]) => {
      const chip = el("button", "chip");
      chip.type = "button";
      chip.value = remove;
      chip.title = t.remove_filter;
      chip.setAttribute("aria-label", t.remove_filter + ": " + label);
      const cross = el("span", null, "×");
      cross.setAttribute("aria-hidden", "true");
      chip.append(el("span", "chip-label", label), document.createTextNode(" "), cross);
      return chip;
    }));
    chips.hidden = active.length === 0;
    chips.setAttribute("aria-label", t.active_filters);
  }

  function removeFilter(name) {
    if (name === "date_from" || name === "date_to") fields[name].value = "";
    else if (name === "sources") fields.source.value = "";
    else if (name === "sort") fields.newest.checked = false;
    else if (name === "understood") fields.timeOff.value = "false";
    else if (name === "time_from_question") fields.timeOff.value = "";
    saveFilters();
    renderChips();
  }

  function texts(language) {
    return TEXTS[language] || TEXTS.en;
  }

  // Fixed texts follow the language of the last question.
  function setLanguage(language) {
    const t = texts(language);
    document.documentElement.lang = TEXTS[language] ? language : "en";
    document.querySelectorAll("[data-text]").forEach((node) => { node.textContent = t[node.dataset.text]; });
    input.placeholder = t.placeholder;
    document.title = t.title;
    renderChips();
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderPassage(hit, t) {
    const item = el("li", "passage");
    const meta = el("div", "meta");
    const link = el("a", "title", hit.document.title);
    link.href = "/documents/" + encodeURIComponent(hit.document.id) + "#p" + hit.passage;
    meta.append(link, el("span", "date", hit.document.date || t.undated));
    if (hit.document.url && /^https?:\/\//i.test(hit.document.url)) {
      const original = el("a", "original", t.original);
      original.href = hit.document.url;
      original.rel = "noopener noreferrer";
      meta.append(original);
    }
    meta.append(el("span", "score", t.score + " " + hit.score.toFixed(2)));
    item.append(meta);
    if (hit.heading) item.append(el("div", "heading", hit.heading));
    const text = el("p", "text");
    const { start, end } = hit.highlight;
    text.append(document.createTextNode(hit.text.slice(0, start)), el("mark", null, hit.text.slice(start, end)),
      document.createTextNode(hit.text.slice(end)));
    item.append(text);
    return item;
  }

  function renderTurn(answer) {
    const t = texts(answer.language);
    const turn = el("article", "turn");
    turn.lang = answer.language;
    const question = el("div", "bubble question");
    question.append(el("span", "who", t.you), el("span", "asked", answer.question));
    if (answer.rewritten && answer.resolved_question) {
      question.append(el("span", "resolved", t.understood + ": " + answer.resolved_question));
    }
    const reply = el("div", "bubble answer" + (answer.no_answer ? " none" : ""));
    reply.append(el("span", "who", t.assistant), el("p", "reply", answer.reply));
    if (answer.passages.length) {
      const list = el("ol", "passages");
      list.setAttribute("aria-label", t.passages);
      answer.passages.forEach((hit) => list.append(renderPassage(hit, t)));
      reply.append(list);
    }
    turn.append(question, reply);
    conversation.append(turn);
    return turn;
  }

  function showStatus(message, isError) {
    status.textContent = message;
    status.classList.toggle("error", Boolean(isError));
  }

  function setBusy(value) {
    busy = value;
    button.disabled = value;
    form.classList.toggle("busy", value);
    form.setAttribute("aria-busy", value ? "true" : "false");
    if (value) showStatus(texts(document.documentElement.lang).busy, false);
  }

  function messages(question) {
    const history = [];
    turns.forEach((turn) => {
      history.push({ role: "user", content: turn.question }, { role: "assistant", content: turn.reply });
    });
    history.push({ role: "user", content: question });
    return history;
  }

  async function ask(question) {
    const t = texts(document.documentElement.lang);
    setBusy(true);
    try {
      const response = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ messages: messages(question), top_k: TOP_K, ...filterFields() }),
      });
      const body = await response.json().catch(() => null);
      if (!response.ok || !body) {
        showStatus(t.error + ": " + ((body && body.error) || response.status + " " + response.statusText), true);
        return;
      }
      turns.push(body);
      save();
      renderTurn(body).scrollIntoView({ block: "nearest" });
      setLanguage(body.language);  // draws the chips again, with the time this answer read from its question
      input.value = "";
      showStatus("", false);
    } catch (error) {
      showStatus(t.server_down, true);
    } finally {
      setBusy(false);
      input.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    const t = texts(document.documentElement.lang);
    input.focus();
    if (busy) return;
    if (!question) { showStatus(t.error + ": " + t.empty, true); return; }
    ask(question);
  });

  chips.addEventListener("click", (event) => {
    const chip = event.target.closest("button.chip");
    if (!chip) return;
    event.preventDefault();  // a chip clears its filter; it never asks
    removeFilter(chip.value);
    input.focus();
  });

  Object.values(fields).forEach((field) => {
    field.addEventListener("change", () => { saveFilters(); renderChips(); });
  });

  newForm.addEventListener("submit", (event) => {
    event.preventDefault();
    turns = [];
    save();
    setFilters({});
    saveFilters();
    renderChips();
    conversation.replaceChildren();
    form.querySelector("input[name=history]").value = "[]";
    showStatus("", false);
    input.value = "";
    input.focus();
  });

  const savedFilters = loadFilters();
  if (savedFilters) setFilters(savedFilters);
  renderChips();
  if (turns.length) {
    conversation.replaceChildren();
    turns.forEach(renderTurn);
    setLanguage(turns[turns.length - 1].language);
    conversation.lastElementChild.scrollIntoView({ block: "nearest" });
  }
  input.focus();
})();

// The chat page with JavaScript: asks /api/chat with the whole conversation, keeps the conversation in
// sessionStorage (it survives a reload in the same tab), and never reloads the page.
// Every text from articles or users goes in through textContent, never as HTML.
(function () {
  "use strict";
  const STORE = "qa.chat.v1";
  const TOP_K = 3;
  const form = document.getElementById("ask-form");
  const input = document.getElementById("question");
  const button = document.getElementById("send");
  const newForm = document.getElementById("new-form");
  const conversation = document.getElementById("conversation");
  const status = document.getElementById("status");
  const TEXTS = JSON.parse(document.getElementById("texts").textContent);
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
    meta.append(link, el("span", "date", hit.document.date || t.undated),
      el("span", "score", t.score + " " + hit.score.toFixed(2)));
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
    if (answer.resolved_question && answer.resolved_question !== answer.question) {
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
        body: JSON.stringify({ messages: messages(question), top_k: TOP_K }),
      });
      const body = await response.json().catch(() => null);
      if (!response.ok || !body) {
        showStatus(t.error + ": " + ((body && body.error) || response.status + " " + response.statusText), true);
        return;
      }
      turns.push(body);
      save();
      renderTurn(body).scrollIntoView({ block: "nearest" });
      setLanguage(body.language);
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

  newForm.addEventListener("submit", (event) => {
    event.preventDefault();
    turns = [];
    save();
    conversation.replaceChildren();
    form.querySelector("input[name=history]").value = "[]";
    showStatus("", false);
    input.value = "";
    input.focus();
  });

  if (turns.length) {
    conversation.replaceChildren();
    turns.forEach(renderTurn);
    setLanguage(turns[turns.length - 1].language);
    conversation.lastElementChild.scrollIntoView({ block: "nearest" });
  }
  input.focus();
})();

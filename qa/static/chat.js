// Progressive enhancement of the chat form: ask with fetch, append the answer, no reload.
// Every text from articles or users goes in through textContent, never as HTML.
(function () {
  "use strict";
  const form = document.getElementById("ask-form");
  const input = document.getElementById("question");
  const button = form.querySelector("button");
  const conversation = document.getElementById("conversation");
  const status = document.getElementById("status");
  const history = form.querySelector("input[name=history]");
  const TEXTS = JSON.parse(document.getElementById("texts").textContent);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderPassage(hit, t) {
    const item = el("li", "passage");
    const meta = el("div", "meta");
    meta.append(el("span", "title", hit.document.title), el("span", "date", hit.document.date || t.undated),
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
    const t = TEXTS[answer.language] || TEXTS.en;
    const turn = el("article", "turn");
    turn.lang = answer.language;
    const question = el("div", "bubble question");
    question.append(el("span", "who", t.you), document.createTextNode(" " + answer.question));
    const reply = el("div", "bubble answer");
    reply.append(el("span", "who", t.assistant));
    if (answer.no_answer) {
      reply.append(el("p", "no-answer", t.no_answer));
    } else {
      const list = el("ol", "passages");
      answer.passages.forEach((hit) => list.append(renderPassage(hit, t)));
      reply.append(list);
    }
    turn.append(question, reply);
    conversation.append(turn);
    turn.scrollIntoView({ block: "nearest" });
  }

  function setBusy(busy, t) {
    button.disabled = busy;
    form.setAttribute("aria-busy", busy ? "true" : "false");
    status.textContent = busy ? t.busy : "";
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = input.value.trim();
    const t = TEXTS[document.documentElement.lang] || TEXTS.en;
    if (!question) { input.focus(); return; }
    setBusy(true, t);
    try {
      const response = await fetch("/api/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ question }),
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        status.textContent = t.error + ": " + (body.error || response.statusText);
        return;
      }
      renderTurn(body);
      const earlier = JSON.parse(history.value || "[]");
      earlier.push(question);
      history.value = JSON.stringify(earlier.slice(-20));
      input.value = "";
      setBusy(false, t);
    } catch (error) {
      status.textContent = t.server_down;
    } finally {
      button.disabled = false;
      form.setAttribute("aria-busy", "false");
      input.focus();
    }
  });
})();

// The workbench page: draws what the bot sent (Block Kit, mrkdwn) as Slack would, and turns what
// the person does into one call of the JSON API. Every word shown comes from the state: the bot's
// messages, or the workbench's own few words (bot/workbench/words.py). Nothing is ever written
// with innerHTML: text becomes text nodes, so no message can add markup to the page.
"use strict";

const page = {
  me: null,
  data: null,
  version: -1,
  tab: "channel",
  thread: null,
  busy: false,
  // surface key ("view:<id>" or "msg:<ts>") -> block id -> action id -> value the person gave
  inputs: {},
  drawn: { messages: "", thread: "", modal: "", home: "" },
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function words(key) {
  return (page.data && page.data.words[key]) || "";
}

// -- mrkdwn -------------------------------------------------------------------------------------

const EMOJI = {
  lock: "🔒", clipboard: "📋", white_check_mark: "✅", bell: "🔔", warning: "⚠️", x: "❌",
  triangular_flag_on_post: "🚩", busts_in_silhouette: "👥", wave: "👋", recycle: "♻️",
  arrows_counterclockwise: "🔄", wrench: "🔧", wastebasket: "🗑️", speech_balloon: "💬",
  rotating_light: "🚨", repeat: "🔁", no_entry_sign: "🚫", mag: "🔍",
  leftwards_arrow_with_hook: "↩️", information_source: "ℹ️", hourglass_flowing_sand: "⏳",
  hourglass: "⌛", calendar: "📅", memo: "📝", pencil: "✏️", heavy_check_mark: "✔️",
  no_entry: "⛔", hammer_and_wrench: "🛠️", iphone: "📱", computer: "💻", eyes: "👀",
  question: "❓", grey_question: "❔", house: "🏠", inbox_tray: "📥", outbox_tray: "📤",
  stopwatch: "⏱️", alarm_clock: "⏰", red_circle: "🔴", large_green_circle: "🟢",
  large_yellow_circle: "🟡", arrow_right: "➡️", link: "🔗", spiral_calendar_pad: "🗓️",
  envelope: "✉️", lock_with_ink_pen: "🔏", closed_lock_with_key: "🔐", key: "🔑",
  judge: "🧑‍⚖️", scales: "⚖️", page_facing_up: "📄", file_folder: "📁", busts: "👥",
  ok: "🆗", new: "🆕", sos: "🆘", tada: "🎉", raised_hand: "✋", thumbsup: "👍",
};

function emojify(text) {
  return text.replace(/:([a-z0-9_+-]+):/g, (all, name) => EMOJI[name] || all);
}

function nameOf(id) {
  return (page.data && page.data.names[id]) || id;
}

// One of Slack's <…> controls (a mention, a link), as an element.
function control(inner) {
  const [target, label] = inner.split("|", 2);
  if (target.startsWith("@")) {
    return el("span", { class: "mention", text: "@" + nameOf(target.slice(1)) });
  }
  if (target.startsWith("!subteam^")) {
    const group = target.slice("!subteam^".length);
    return el("span", { class: "mention", text: label || "@" + nameOf(group) });
  }
  if (target.startsWith("!date^")) {
    return document.createTextNode(inner.split("^").pop().split("|").pop());
  }
  if (target.startsWith("!")) {
    return el("span", { class: "mention", text: "@" + target.slice(1) });
  }
  if (target.startsWith("#")) {
    return el("span", { class: "mention", text: "#" + (label || nameOf(target.slice(1))) });
  }
  const thread = permalinkThread(target);
  if (thread) {
    return el("a", {
      href: "#thread-" + thread,
      text: label || target,
      onclick: (event) => { event.preventDefault(); openThread(thread); },
    });
  }
  if (/^(https?:|mailto:)/i.test(target)) {
    return el("a", { href: target, text: label || target, target: "_blank", rel: "noopener noreferrer" });
  }
  return document.createTextNode(label || target);
}

// A permalink the workspace gave for a message of this channel: the thread it opens.
function permalinkThread(url) {
  const match = /\/archives\/([A-Z0-9]+)\/p(\d{10})(\d{6})/.exec(url);
  if (!match || !page.data || match[1] !== page.data.channel.id) return null;
  return `${match[2]}.${match[3]}`;
}

const INLINE = /`([^`\n]+)`|\*([^*\n]+)\*|(?<![A-Za-z0-9])_([^_\n]+)_(?![A-Za-z0-9])|~([^~\n]+)~/;

// Text with placeholders for controls; bold, italic, strike and code as Slack draws them.
function inline(text, controls, into) {
  let rest = text;
  while (rest) {
    const match = INLINE.exec(rest);
    if (!match) { leaf(rest, controls, into); return; }
    leaf(rest.slice(0, match.index), controls, into);
    if (match[1] !== undefined) into.append(el("code", { text: match[1] }));
    else {
      const tag = match[2] !== undefined ? "b" : match[3] !== undefined ? "i" : "s";
      const node = el(tag);
      inline(match[2] ?? match[3] ?? match[4], controls, node);
      into.append(node);
    }
    rest = rest.slice(match.index + match[0].length);
  }
}

function leaf(text, controls, into) {
  const parts = text.split(/\u0001(\d+)\u0002/);
  parts.forEach((part, index) => {
    if (index % 2) into.append(control(controls[Number(part)]));
    else if (part) into.append(document.createTextNode(emojify(part)));
  });
}

function mrkdwn(source) {
  const controls = [];
  const text = String(source || "")
    .replace(/[\u0001\u0002]/g, "")
    .replace(/<([^<>]*)>/g, (_all, inner) => `\u0001${controls.push(inner) - 1}\u0002`)
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  const node = el("div", { class: "mrkdwn" });
  text.split("```").forEach((chunk, index) => {
    if (index % 2) {
      const pre = el("pre");
      leaf(chunk.replace(/^\n/, ""), controls, pre);
      node.append(pre);
      return;
    }
    const lines = chunk.split("\n");
    let quote = null;
    lines.forEach((line, n) => {
      const quoted = /^> ?/.test(line);
      if (quoted) {
        if (!quote) { quote = el("blockquote"); node.append(quote); }
        else quote.append(document.createTextNode("\n"));
        inline(line.replace(/^> ?/, ""), controls, quote);
        return;
      }
      quote = null;
      inline(line, controls, node);
      if (n < lines.length - 1) node.append(document.createTextNode("\n"));
    });
  });
  return node;
}

function textObject(object) {
  if (!object) return document.createTextNode("");
  if (object.type === "mrkdwn") return mrkdwn(object.text);
  const text = object.emoji === false ? object.text : emojify(object.text || "");
  return el("span", { class: "plain", text });
}

function plain(object) {
  return object ? emojify(object.text || "") : "";
}

// -- Block Kit ----------------------------------------------------------------------------------

// `surface`: {key, where: {message_ts}|{view_id}, modal: bool}
function blocks(list, surface, errors) {
  const node = el("div", { class: "blocks" });
  for (const block of list || []) node.append(blockNode(block, surface, errors || {}));
  return node;
}

function blockNode(block, surface, errors) {
  const attrs = { class: `block ${block.type}`, "data-block-id": block.block_id };
  switch (block.type) {
    case "section": {
      const body = el("div", { class: "section-body" });
      if (block.text) body.append(textObject(block.text));
      if (block.fields) {
        const grid = el("div", { class: "fields" });
        for (const field of block.fields) grid.append(textObject(field));
        body.append(grid);
      }
      const node = el("div", attrs, body);
      if (block.accessory) node.append(elementNode(block.accessory, block, surface, true));
      return node;
    }
    case "context": {
      const node = el("div", attrs);
      for (const item of block.elements || []) {
        if (item.type === "image") node.append(el("span", { text: item.alt_text || "" }));
        else node.append(textObject(item));
      }
      return node;
    }
    case "header":
      return el("div", attrs, el("span", { text: plain(block.text) }));
    case "divider":
      return el("hr", { class: "divider", "data-block-id": block.block_id });
    case "actions": {
      const node = el("div", attrs);
      for (const element of block.elements || []) node.append(elementNode(element, block, surface, true));
      return node;
    }
    case "input":
      return inputNode(block, surface, errors[block.block_id]);
    case "image":
      return el("div", attrs, el("span", { text: block.alt_text || "" }));
    case "rich_text":
      return el("div", attrs, el("span", { class: "plain", text: richText(block) }));
    default:
      return el("div", attrs);
  }
}

function richText(block) {
  const out = [];
  const walk = (items) => {
    for (const item of items || []) {
      if (item.text) out.push(item.text);
      if (item.elements) walk(item.elements);
    }
  };
  walk(block.elements);
  return out.join("");
}

function domId(surface, block, element) {
  return `bk-${surface.pane || ""}${surface.key}-${block.block_id}-${element.action_id}`.replace(/[^A-Za-z0-9_-]/g, "_");
}

function given(surface, block, element) {
  const values = page.inputs[surface.key] || {};
  return (values[block.block_id] || {})[element.action_id];
}

function remember(surface, block, element, value) {
  const values = (page.inputs[surface.key] = page.inputs[surface.key] || {});
  (values[block.block_id] = values[block.block_id] || {})[element.action_id] = value;
}

function optionsOf(element) {
  const options = [...(element.options || [])];
  for (const group of element.option_groups || []) options.push(...(group.options || []));
  return options;
}

// An interactive element. `dispatch`: using it tells the bot at once (block_actions).
function elementNode(element, block, surface, dispatch) {
  const id = domId(surface, block, element);
  const send = (picked) => act(surface, block, element, picked);
  switch (element.type) {
    case "button": {
      const node = el("button", {
        type: "button",
        class: `bk-button ${element.style || ""}`.trim(),
        id,
        "data-action-id": element.action_id,
        text: plain(element.text),
        onclick: () => (element.confirm ? confirmThen(element.confirm, () => send(null)) : send(null)),
      });
      return node;
    }
    case "static_select":
    case "overflow": {
      const select = el("select", { id, "data-action-id": element.action_id });
      select.append(el("option", { value: "", text: plain(element.placeholder) || words("choose") }));
      const groups = element.option_groups || [{ options: element.options || [] }];
      for (const group of groups) {
        const into = group.label ? el("optgroup", { label: plain(group.label) }) : select;
        for (const option of group.options || []) {
          into.append(el("option", { value: option.value, text: plain(option.text) }));
        }
        if (into !== select) select.append(into);
      }
      const initial = given(surface, block, element) ?? (element.initial_option || {}).value ?? "";
      select.value = initial;
      select.addEventListener("change", () => {
        remember(surface, block, element, select.value);
        if (dispatch && select.value) send(select.value);
      });
      return select;
    }
    case "datepicker": {
      const input = el("input", { type: "date", id, "data-action-id": element.action_id });
      input.value = given(surface, block, element) ?? element.initial_date ?? "";
      input.addEventListener("change", () => {
        remember(surface, block, element, input.value);
        if (dispatch && input.value) send(input.value);
      });
      return input;
    }
    case "radio_buttons":
    case "checkboxes": {
      const multiple = element.type === "checkboxes";
      const set = el("div", { class: "choices", id, role: multiple ? "group" : "radiogroup" });
      const initial = given(surface, block, element) ??
        (multiple ? (element.initial_options || []).map((o) => o.value) : (element.initial_option || {}).value);
      optionsOf(element).forEach((option, n) => {
        const input = el("input", {
          type: multiple ? "checkbox" : "radio",
          name: id,
          id: `${id}-${n}`,
          value: option.value,
        });
        input.checked = multiple ? (initial || []).includes(option.value) : initial === option.value;
        input.addEventListener("change", () => {
          const picked = multiple
            ? [...set.querySelectorAll("input:checked")].map((box) => box.value)
            : option.value;
          remember(surface, block, element, picked);
          if (dispatch) send(picked);
        });
        const label = el("label", { for: `${id}-${n}` }, plain(option.text) ? document.createTextNode(plain(option.text)) : textObject(option.text));
        const row = el("div", { class: "choice" }, input, label);
        if (option.description) row.append(el("div", { class: "hint" }, textObject(option.description)));
        set.append(row);
      });
      return set;
    }
    case "plain_text_input": {
      const attrs = {
        id,
        "data-action-id": element.action_id,
        placeholder: plain(element.placeholder),
        maxlength: element.max_length,
      };
      const input = element.multiline ? el("textarea", attrs) : el("input", { type: "text", ...attrs });
      input.value = given(surface, block, element) ?? element.initial_value ?? "";
      input.addEventListener("input", () => remember(surface, block, element, input.value));
      if (dispatch) {
        input.addEventListener("keydown", (event) => {
          if (event.key === "Enter" && !element.multiline) send(input.value);
        });
      }
      return input;
    }
    default:
      return el("span");
  }
}

function inputNode(block, surface, error) {
  const element = block.element || {};
  const id = domId(surface, block, element);
  const node = el("div", {
    class: `block input${error ? " has-error" : ""}`,
    "data-block-id": block.block_id,
  });
  const labelTag = ["radio_buttons", "checkboxes"].includes(element.type) ? "span" : "label";
  const label = el(labelTag, { for: labelTag === "label" ? id : null, class: "label" }, document.createTextNode(plain(block.label)));
  node.append(label);
  node.append(elementNode(element, block, surface, Boolean(block.dispatch_action)));
  if (block.hint) node.append(el("div", { class: "hint" }, textObject(block.hint)));
  if (error) node.append(el("div", { class: "error", role: "alert", "data-error-for": block.block_id, text: error }));
  return node;
}

// -- talking to the workbench ------------------------------------------------------------------

async function call(path, body) {
  page.busy = true;
  try {
    const response = await fetch(path, body === undefined ? {} : {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ as: page.me, ...body }),
    });
    const answer = await response.json();
    if (!response.ok) {
      showFailure(answer.error || words("failed"));
      return null;
    }
    $("failure").hidden = true;
    if (answer.me === page.me) draw(answer);
    return answer;
  } catch (error) {
    showFailure(words("failed"));
    return null;
  } finally {
    page.busy = false;
  }
}

function showFailure(text) {
  $("failure").textContent = text || words("failed") || document.body.dataset.failed;
  $("failure").hidden = false;
}

function act(surface, block, element, picked) {
  return call("/api/act", {
    where: { ...surface.where, values: page.inputs[surface.key] || {} },
    block_id: block.block_id,
    action_id: element.action_id,
    picked,
  });
}

async function refresh() {
  if (page.busy || !page.me) return;
  try {
    const response = await fetch(`/api/state?as=${encodeURIComponent(page.me)}`);
    if (response.ok) {
      const answer = await response.json();
      // a poll answered while the bot was still at work must not undo a newer state
      if (answer.me !== page.me) return;
      if (answer.version > page.version || answer.me !== (page.data || {}).me) draw(answer);
    }
  } catch (error) {
    /* the next poll tries again */
  }
}

// -- drawing ------------------------------------------------------------------------------------

function draw(data) {
  page.data = data;
  page.version = data.version;
  drawFrame();
  drawMessages();
  drawThread();
  drawModal();
  drawHome();
}

function drawFrame() {
  const data = page.data;
  document.documentElement.lang = data.language;
  document.title = data.words.title;
  $("title").textContent = data.words.title;
  $("subtitle").textContent = data.words.subtitle;
  $("act-as-label").textContent = data.words.act_as;
  const select = $("act-as");
  if (!select.options.length) {
    for (const person of data.people) select.append(el("option", { value: person.id, text: person.name }));
  }
  select.value = page.me;
  const me = data.people.find((person) => person.id === page.me);
  $("role").textContent = me ? data.roles[me.role] : "";
  $("language-label").textContent = data.words.language;
  const languages = $("language");
  if (!languages.options.length) {
    for (const language of data.languages) {
      languages.append(el("option", { value: language.code, text: language.name, lang: language.code }));
    }
  }
  languages.value = data.language;
  $("tab-channel").textContent = "#" + data.channel.name;
  $("tab-home").textContent = data.words.home_tab;
  $("channel-name").textContent = "#" + data.channel.name;
  $("composer-text").placeholder = data.words.message_placeholder
    .replace("{channel}", data.channel.name).replace("{command}", data.command);
  $("composer-text").setAttribute("aria-label", $("composer-text").placeholder);
  $("composer-send").textContent = data.words.send;
  $("thread-send").textContent = data.words.send;
  $("thread-text").placeholder = data.words.reply_placeholder;
  $("thread-text").setAttribute("aria-label", data.words.reply_placeholder);
  $("thread-close").textContent = data.words.close;
  $("channel-pane").hidden = page.tab !== "channel";
  $("home-pane").hidden = page.tab !== "home";
  $("thread-pane").hidden = page.tab !== "channel" || !page.thread;
  $("tab-channel").setAttribute("aria-selected", String(page.tab === "channel"));
  $("tab-home").setAttribute("aria-selected", String(page.tab === "home"));
}

function messageNode(message, inThread) {
  const data = page.data;
  const isBot = message.user === data.bot.id || message.bot_id;
  const head = el("div", { class: "message-head" },
    el("span", { class: "author", text: isBot ? data.bot.name : nameOf(message.user) }));
  if (isBot) head.append(el("span", { class: "badge", text: data.words.app_badge }));
  if (message.ephemeral) head.append(el("span", { class: "only-you", text: " " + data.words.only_you }));
  const node = el("article", {
    class: `message${message.ephemeral ? " ephemeral" : ""}`,
    "data-ts": message.ts,
    id: inThread ? null : `message-${message.ts}`,
  }, head);
  // the parent is drawn in the channel and atop its thread: its element ids differ by pane
  const surface = { key: `msg:${message.ts}`, where: { message_ts: message.ts }, pane: inThread ? "t" : "c" };
  if (message.blocks && message.blocks.length) node.append(blocks(message.blocks, surface));
  else node.append(mrkdwn(message.text));
  if (!inThread && !message.ephemeral) {
    // "3 replies", worded and counted in the reader's language by the workbench
    const label = (message.replies || []).length ? message.replies_label : data.words.reply;
    node.append(el("button", {
      type: "button", class: "thread-link", "data-thread": message.ts, text: label,
      onclick: () => openThread(message.ts),
    }));
  }
  return node;
}

function drawMessages() {
  const signature = JSON.stringify([page.me, page.data.language, page.data.messages]);
  if (signature === page.drawn.messages) return;
  page.drawn.messages = signature;
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  box.replaceChildren();
  if (!page.data.messages.length) box.append(el("p", { class: "empty", text: page.data.words.empty_channel }));
  for (const message of page.data.messages) box.append(messageNode(message, false));
  if (atBottom) box.scrollTop = box.scrollHeight;
}

function openThread(ts) {
  page.thread = ts;
  page.tab = "channel";
  page.drawn.thread = "";
  drawFrame();
  drawThread();
  $("thread-text").focus();
}

function drawThread() {
  const parent = page.thread && page.data.messages.find((message) => message.ts === page.thread);
  const signature = JSON.stringify([page.me, page.data.language, parent || null]);
  if (signature === page.drawn.thread) return;
  page.drawn.thread = signature;
  const box = $("thread");
  box.replaceChildren();
  if (!parent) return;
  $("thread-title").textContent = page.data.words.thread;
  box.append(messageNode(parent, true));
  for (const reply of parent.replies || []) box.append(messageNode(reply, true));
  box.scrollTop = box.scrollHeight;
}

function drawModal() {
  const modal = page.data.modal;
  const signature = JSON.stringify([page.me, page.data.language, modal, page.data.modal_errors]);
  if (signature === page.drawn.modal) return;
  page.drawn.modal = signature;
  const box = $("modal");
  box.replaceChildren();
  box.dataset.callbackId = (modal && modal.callback_id) || "";
  $("modal-backdrop").hidden = !modal;
  if (!modal) return;
  const surface = { key: `view:${modal.id}`, where: { view_id: modal.id }, modal: true };
  const close = () => call("/api/close", { view_id: modal.id, values: page.inputs[surface.key] || {} });
  box.append(el("div", { class: "modal-head" },
    el("h2", { id: "modal-title", text: plain(modal.title) }),
    el("button", { type: "button", class: "bk-button", "aria-label": page.data.words.close, text: "×", onclick: close })));
  box.append(el("div", { class: "modal-body" }, blocks(modal.blocks, surface, page.data.modal_errors)));
  const foot = el("div", { class: "modal-foot" },
    el("button", { type: "button", class: "bk-button", text: plain(modal.close) || page.data.words.cancel, onclick: close }));
  if (modal.submit) {
    foot.append(el("button", {
      type: "button", class: "bk-button primary", id: "modal-submit", text: plain(modal.submit),
      onclick: () => call("/api/submit", { view_id: modal.id, values: page.inputs[surface.key] || {} }),
    }));
  }
  box.append(foot);
  const first = page.data.modal_errors && box.querySelector(".has-error input, .has-error textarea, .has-error select");
  if (first) first.focus();
}

function drawHome() {
  const home = page.data.home;
  const signature = JSON.stringify([page.me, page.data.language, home]);
  if (signature === page.drawn.home) return;
  page.drawn.home = signature;
  const box = $("home");
  box.replaceChildren();
  if (!home) {
    box.append(el("p", { class: "empty", text: page.data.words.no_home }));
    return;
  }
  box.append(blocks(home.blocks, { key: `view:${home.id}`, where: { view_id: home.id } }));
}

function confirmThen(confirm, then) {
  const box = $("confirm");
  const done = (go) => {
    $("confirm-backdrop").hidden = true;
    box.replaceChildren();
    if (go) then();
  };
  box.replaceChildren(
    el("div", { class: "modal-head" }, el("h2", { id: "confirm-title", text: plain(confirm.title) })),
    el("div", { class: "modal-body" }, textObject(confirm.text)),
    el("div", { class: "modal-foot" },
      el("button", {
        type: "button", class: "bk-button", id: "confirm-no",
        text: plain(confirm.deny) || words("cancel"), onclick: () => done(false),
      }),
      el("button", {
        type: "button", class: `bk-button ${confirm.style || "primary"}`, id: "confirm-yes",
        text: plain(confirm.confirm) || words("submit"), onclick: () => done(true),
      })),
  );
  $("confirm-backdrop").hidden = false;
}

// -- what the person types ----------------------------------------------------------------------

async function typed(event) {
  event.preventDefault();
  const input = $("composer-text");
  const text = input.value.trim();
  if (!text) return;
  $("composer-error").hidden = true;
  input.value = "";
  if (text.startsWith("/")) {
    const name = text.split(/\s+/)[0];
    if (name !== page.data.command) {
      $("composer-error").textContent = words("not_a_command")
        .replace("{command}", name).replace("{ours}", page.data.command);
      $("composer-error").hidden = false;
      return;
    }
    const before = new Set(page.data.messages.map((message) => message.ts));
    const answer = await call("/api/command", { text: text.slice(name.length).trim() });
    const started = answer && answer.messages.find((m) => !before.has(m.ts) && !m.ephemeral);
    if (started) openThread(started.ts);
    return;
  }
  await call("/api/say", { text });
}

async function replied(event) {
  event.preventDefault();
  const input = $("thread-text");
  const text = input.value.trim();
  if (!text || !page.thread) return;
  input.value = "";
  await call("/api/say", { text, thread_ts: page.thread });
  input.focus();
}

function start() {
  const wanted = new URLSearchParams(location.search).get("as");
  $("composer").addEventListener("submit", typed);
  $("thread-composer").addEventListener("submit", replied);
  $("thread-close").addEventListener("click", () => { page.thread = null; drawFrame(); });
  $("tab-channel").addEventListener("click", () => { page.tab = "channel"; drawFrame(); });
  $("tab-home").addEventListener("click", () => {
    page.tab = "home";
    drawFrame();
    call("/api/home", {});
  });
  // the person's language in the bot, as `/monitoring-request language …` sets it
  $("language").addEventListener("change", () => call("/api/language", { language: $("language").value }));
  $("act-as").addEventListener("change", () => {
    page.me = $("act-as").value;
    page.inputs = {};
    page.drawn = { messages: "", thread: "", modal: "", home: "" };
    if (page.tab === "home") call("/api/home", {});
    else refresh();
  });
  // no one named: the workbench starts with its first person (the officer)
  fetch(`/api/state?as=${encodeURIComponent(wanted || "")}`)
    .then((response) => response.json())
    .then((first) => { page.me = first.me; draw(first); })
    .catch(() => showFailure(words("failed")));
  setInterval(refresh, 1000);
}

start();

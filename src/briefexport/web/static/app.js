// briefexport's page: plain JavaScript, no build step, no third-party code, no network but this server.
// Every text from the user or the server is shown with textContent or .value, never as HTML.
"use strict";

const TEXTS = {
  zh: {
    app_title: "简报导出", tagline: "粘贴一篇简报，核对编号提纲，预览，下载 Word、PDF、EPUB。",
    import_title: "导入简报", paste_placeholder: "在这里粘贴简报正文（网页上复制的内容会保留其结构）",
    drop_hint: "或把文件拖到这里：.txt（任何常见编码）、.yaml 提纲、.html 网页、.docx（Word）", choose_file: "选择文件",
    import_button: "导入", importing: "正在导入……", imported: "已导入：{sections} 个部分，{items} 个条目。请核对提纲。",
    review_title: "审阅提纲", tab_tree: "提纲", tab_yaml: "YAML 源文件", undo: "撤销",
    tree_empty: "导入简报后，这里显示提纲，编号与打印出来的一样。",
    meta_title: "标题", meta_subtitle: "副标题", meta_author: "作者", meta_date: "日期", lead: "导语（每行一段）",
    body: "正文（每行一段）", kicker: "提示词", numbering: "子项编号", numbering_default: "默认",
    numbering_none: "不编号", numbering_custom: "自定义……", numbering_prompt: "编号模板，例如 重点任务{cn}： 或 第{cn}条",
    up: "上移", down: "下移", add_after: "在后面添加", add_child: "添加子项", remove: "删除",
    new_title: "新条目", confirm_remove: "删除“{title}”及其子项？", add_section: "添加部分",
    theme_title: "选择版式", theme_upload: "上传版式文件", theme_loaded: "使用上传的版式：{name}",
    preview_title: "预览", preview_wait: "正在生成预览……", preview_done: "共 {pages} 页，{seconds} 秒",
    preview_none: "导入简报后显示 PDF 页面。", page: "第 {n} 页",
    download_title: "下载", download_zip: "三种都要（ZIP）", download_yaml: "提纲（YAML）",
    downloading: "正在生成 {name}……", downloaded: "已下载：{name}",
    error_at: "第 {line} 行，第 {col} 列：", line_at: "第 {line} 行：", warning: "注意", note: "说明",
    too_large: "文件太大：上限是 8 MiB。", network: "无法连接到 briefexport 服务器：{message}",
  },
  en: {
    app_title: "briefexport", tagline: "Paste a briefing, review the numbered outline, preview, download Word, PDF and EPUB.",
    import_title: "Bring in a briefing", paste_placeholder: "Paste the briefing here (text copied from a web page keeps its structure)",
    drop_hint: "or drop a file here: .txt (any common encoding), .yaml outline, .html page, .docx (Word)", choose_file: "Choose a file",
    import_button: "Import", importing: "Importing…", imported: "Imported: {sections} sections, {items} items. Please review the outline.",
    review_title: "Review the outline", tab_tree: "Outline", tab_yaml: "YAML source", undo: "Undo",
    tree_empty: "After an import the outline appears here, numbered as it will print.",
    meta_title: "Title", meta_subtitle: "Subtitle", meta_author: "Author", meta_date: "Date", lead: "Lead (one paragraph per line)",
    body: "Text (one paragraph per line)", kicker: "Kicker", numbering: "Item numbering", numbering_default: "default",
    numbering_none: "unnumbered", numbering_custom: "custom…", numbering_prompt: "Numbering template, e.g. 重点任务{cn}： or 第{cn}条",
    up: "Move up", down: "Move down", add_after: "Add after", add_child: "Add item", remove: "Delete",
    new_title: "New item", confirm_remove: "Delete “{title}” and its items?", add_section: "Add section",
    theme_title: "Choose a layout", theme_upload: "Upload a theme file", theme_loaded: "Using the uploaded theme: {name}",
    preview_title: "Preview", preview_wait: "Rendering the preview…", preview_done: "{pages} pages, {seconds} s",
    preview_none: "The PDF's pages appear here after an import.", page: "Page {n}",
    download_title: "Download", download_zip: "All three (ZIP)", download_yaml: "Outline (YAML)",
    downloading: "Making {name}…", downloaded: "Downloaded: {name}",
    error_at: "line {line}, column {col}: ", line_at: "line {line}: ", warning: "warning", note: "note",
    too_large: "The file is too large: the limit is 8 MiB.",
    network: "Cannot reach the briefexport server: {message}",
  },
};
// What the server says with a code (notes, notices, its own errors), in Chinese; English pages show the server's English.
const SAID_ZH = {
  uncovered_char: "没有字体含“{char}”（{codepoint}）：{role}里的这个字（已试 {fonts}）会印成空框。",
  font_substituted_not_installed: "版式 {theme} 的{role}字体“{font}”本机未安装，改用{kind}的 {using}。",
  font_substituted_cff: "版式 {theme} 的{role}字体“{font}”已安装，但它是 PostScript（CFF）轮廓，不能嵌入 PDF，改用{kind}的 {using}。",
  imported_from: "由 briefexport 从{source}导入：下载前请先核对。",
  junk_off: "没有清除防复制杂字（--keep-junk）。",
  junk_structural: "已去掉网页中 {parts} 处隐藏或外围内容（防复制节点、导航、论坛附注），以及正文中 {runs} 处防复制杂字。",
  junk_removed: "已去掉 {runs} 处防复制杂字（共 {chars} 个字符）。",
  junk_none: "没有发现防复制杂字。",
  sections_kicker: "各部分以提示词“{kicker}”开头（保留为各部分的提示词）。",
  sections_numbered: "各部分按原文带编号的标题划分。",
  sections_headings: "各部分按段落上方不带标点的短行划分。",
  sections_marked: "各部分按文件标明的标题划分。",
  sections_none: "没有找到部分标题，全部文字放在导语里。",
  item_headings: "每个条目的标题取其第一个分句或句子，其余是正文。",
  maybe_junk: "保留了“{text}”，但它可能是杂字（如果不属于简报，请删掉）。",
  check_then_build: "请核对各级标题和分段，再下载。",
  too_large: "文件太大：上限是 {limit} MiB。",
  busy: "服务器正忙，请稍后再试。",
  too_slow: "生成时间超过上限，已停止（提纲可能太长）。",
  worker_lost: "生成进程意外退出，请再试一次。",
  preview_gone: "这个预览已不在服务器上，请再预览一次。",
  cross_site: "拒绝来自其他网页的请求，请使用本服务器自己的页面。",
  foreign_host: "本服务器只接受本机的地址（127.0.0.1、localhost、[::1]）。",
  // Outline errors (outline/reader.py, _yaml.py).
  yaml_quote_open: "这个引号没有闭合，请在文字末尾补上另一半引号。",
  yaml_not_key_value: "这一行既不是“键: 值”，也没有缩进在某个键下面：要接着上面的文字，请缩进；要作为上面列表的一项，请以“- ”开头。",
  yaml_indent_more: "这一行比上一行缩进得多；同一条目的各个键、同一列表的各项应从同一列开始。",
  yaml_indent_dash: "这一行和上面的“- ”在同一列；请再缩进两个空格，放进那一项里。",
  yaml_indent_less: "这一行比上一行缩进得少，但又没有对齐上面任何一个键；请与它所属的键或“- ”对齐。",
  yaml_two_documents: "一个文件只放一份提纲，请删掉第二个“---”之后的内容。",
  yaml_tab: "缩进里有制表符（Tab）；YAML 只能用空格缩进。",
  yaml_flow_open: "第 {line} 行第 {col} 列的“[”或“{”没有闭合（以 [ 或 { 开头的文字要加引号）。",
  yaml_colon_quote: "值里含有“: ”时要加引号，例如 title: '第一: 总则'。",
  yaml_indent_check: "YAML 格式有误：请检查这一行和上一行的缩进。",
  yaml_control: "文件里有控制字符，请删掉。",
  yaml_invalid: "YAML 格式有误（{problem}）。",
  duplicate_key: "键“{key}”重复了（第 {first} 行已经写过），请只保留一个。",
  must_be_mapping: "{what}应由“键: 值”组成，例如 {keys}。",
  unknown_key_close: "{what}里没有“{key}”这个键，是不是想写“{close}”？",
  unknown_key: "{what}里没有“{key}”这个键；可用的键：{known}。",
  needs_key: "{what}缺少“{key}”。",
  must_be_text: "{what}应是文字，不能是{kind}。",
  must_be_list: "{what}应是列表（每一项以“- title:”开头）。",
  entry_needs_title: "{what}应写成“- title: {text}”的形式。",
  heading_empty: "标题是空的，请写上标题文字。",
  heading_break: "{what}里有换行；只有文档标题可以分行，这里请写成一行（过长时会自动换行）。",
  title_empty: "文档标题是空的，请写上标题。",
  outline_empty: "提纲是空的，至少要有 title（标题）。",
  bad_date: "日期“{value}”不对，请写成 YYYY-MM-DD，例如 2024-01-14。",
  bad_official_date: "{what}“{value}”不是日期，请写成 YYYY-MM-DD 或 2024年1月14日。",
  must_be_flag: "{what}只能是 true 或 false。",
  nul_escape: "{what}里有 NUL 字符（\\0 转义），请删掉。",
  bad_character: "{what}里有不该出现的字符（{problem}）。",
  numbering_shape: "numbering（编号）应是最多 4 个模板的列表，每级一个，或写 none。",
  numbering_levels: "numbering（编号）写了 {level} 级，提纲最多 {most} 级。",
  numbering_level_key: "numbering（编号）的级别只能是 1 到 {most}。",
  too_deep: "条目嵌套了 {level} 层，提纲最多 {most} 层。",
  bad_lang: "lang（语言）“{value}”不是语言代码，请写成“{hint}”这样的形式。",
  attachments_list: "attachments（附件）应是列表，每个附件一项。",
  yaml_alias: "提纲里不能用 YAML 别名（*名字），请把文字写出来。",
  yaml_anchor: "提纲里不能用 YAML 锚点（&名字），请删掉。",
  yaml_merge: "提纲里不能用 YAML 合并键（<<）。",
  yaml_too_many: "一个文件里的值超过 {most} 个，请把提纲分成几个文件。",
  yaml_list_long: "一个列表超过 {most} 项，请把提纲分成几个文件。",
  yaml_too_deep: "嵌套超过 {most} 层；提纲的条目最多 4 级。",
  plain_keys: "键只能是普通的词。",
  nul_byte: "文件里有 NUL 字节（U+0000）：这不是文本文件，或是没有字节序标记的 UTF-16；请另存为 UTF-8。",
  control_char: "文件里有控制字符 {codepoint}，请删掉。",
  // Theme errors (theme/loader.py).
  theme_no_fonts: "fonts（字体）至少要写一个字体名。",
  theme_color: "color（颜色）应写成 #RRGGBB，例如 '#B22222'（现在是“{value}”）。",
  theme_page_format: "页码格式“{value}”不对：只能是文字加一个页码字段 page（或中文页码 page_cn，各用花括号括起），可再加总页数 pages。",
  theme_single_value: "“{key}”只能有一个值。",
  theme_one_of: "“{key}”只能是 {choices} 之一（现在是“{value}”）。",
  theme_whole_number: "“{key}”应是整数（现在是“{value}”）。",
  theme_number: "“{key}”应是数字（现在是“{value}”）。",
  theme_range: "“{key}”应在 {low} 到 {high} 之间（现在是 {value}）。",
  theme_range_above: "“{key}”应大于 {low}、不超过 {high}（现在是 {value}）。",
  theme_empty: "版式文件是空的。",
  theme_extends_empty: "extends（继承）是空的，请写一个预设版式名或版式文件名。",
  theme_extends_loop: "版式之间互相继承，形成了循环。",
  theme_styles_missing: "样式 {roles} 需要 fonts（字体）和 size（字号），或继承一个预设版式。",
};
// The presets' descriptions in Chinese (an uploaded or unknown theme shows its own description).
const THEMES_ZH = {
  handout: "A4 学习讲义：正文宋体小四，标题黑体，行距宽松",
  gongwen: "公文（GB/T 9704-2012）：每页 22 行、每行 28 字，仿宋三号",
  ebook: "电子书：行距较大，正文宋体，标题黑体，嵌入字体子集",
};
const ROLES_ZH = { title: "标题", subtitle: "副标题", h1: "一级标题", h2: "二级标题", h3: "三级标题", h4: "四级标题", body: "正文",
  lead: "导语", kicker: "提示词", meta: "署名", toc: "目录", page_number: "页码" };
const PARAMS_ZH = { "pasted text": "粘贴的文字", bundled: "随附", installed: "本机已装",
  // The parts of an outline that its errors name (outline/reader.py's "what").
  "the outline": "提纲", "a section": "部分", "an item": "条目", items: "items（下级条目）", title: "标题", body: "正文",
  kicker: "提示词", numbering: "编号", official: "official（公文要素）", "an attachment": "附件", "a list": "列表",
  "a mapping": "键值表", keyword: "关键词", keywords: "关键词" };
// Parameters quoted from the outline itself (key names, typed values): shown as written, never translated.
const RAW_PARAMS = new Set(["key", "close", "known", "keys", "text", "value", "problem", "hint", "choices", "roles"]);
const LANG = document.documentElement.lang.startsWith("en") ? "en" : "zh";

function say(item) {
  // item: {message, code, params} from the server; the code's Chinese when there is one, else its message.
  const code = item.code === "font_substituted" ? `${item.code}_${item.params.reason}` : item.code;
  const text = LANG === "zh" && code ? SAID_ZH[code] : undefined;
  if (!text) return item.message;
  const params = item.params ?? {};
  return text.replace(/\{(\w+)\}/g, (_, name) => {
    const value = String(params[name] ?? "");
    if (name === "role") return ROLES_ZH[value] ?? value;
    return RAW_PARAMS.has(name) ? value : (PARAMS_ZH[value] ?? value);
  });
}
const TEMPLATES = ["{cn}、", "（{cn}）", "{cn}是", "重点任务{cn}：", "第{cn}条", "第{cn}，", "{n}.", "（{n}）", "{roman}."];
const MAX_BYTES = 8 * 1024 * 1024;

function t(key, values = {}) {
  const text = TEXTS[LANG][key] ?? TEXTS.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);  // strings become text nodes: escaped by the DOM
  return node;
}

// -- state --------------------------------------------------------------------

const state = {
  yaml: null,        // the outline's YAML as the server last accepted it
  tree: null,        // the same outline as a tree with printed labels
  history: [],       // earlier YAML texts, for undo
  editing: false,    // an edit burst is under way (one undo step per burst)
  theme: "handout",
  themeFile: null,   // text of an uploaded theme
  previewSeq: 0,
};

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

class ApiError extends Error {
  constructor(info, status) {
    super(info.message);
    this.info = info;
    this.status = status;
  }
}

function describe(error) {
  if (error instanceof ApiError) return say(error.info);
  return t("network", { message: error.message });
}

async function api(path, body, { type = "application/json", raw = false } = {}) {
  const init = { method: body === undefined ? "GET" : "POST", headers: {} };
  if (body !== undefined) {
    init.body = type === "application/json" ? JSON.stringify(body) : body;
    init.headers["Content-Type"] = type;
  }
  const response = await fetch(path, init);
  if (!response.ok) {
    let info = { message: `HTTP ${response.status}` };
    try { info = (await response.json()).error ?? info; } catch (_) { /* not JSON: keep the status */ }
    throw new ApiError(info, response.status);
  }
  return raw ? response : response.json();
}

function setOutline(result, { record = true, keepYamlText = false } = {}) {
  if (record && state.yaml !== null && state.yaml !== result.yaml) state.history.push(state.yaml);
  state.yaml = result.yaml;
  state.tree = result.tree;
  $("undo").disabled = state.history.length === 0;
  if (!keepYamlText) { $("yaml").value = result.yaml; updateGutter(null); }
  renderTree();
  document.querySelectorAll("#step-download button").forEach((button) => { button.disabled = false; });
  schedulePreview();
}

// -- 1. bringing a briefing in ----------------------------------------------------

function countItems(nodes) {
  return nodes.reduce((sum, node) => sum + node.items.length + countItems(node.items), 0);
}

async function importBody(body, type, filename = "") {
  if (body.size > MAX_BYTES || body.length > MAX_BYTES) { showError(t("too_large")); return; }
  $("import-status").textContent = t("importing");
  showError("");
  try {
    const query = filename ? `?filename=${encodeURIComponent(filename)}` : "";
    const result = await api(`/api/import${query}`, body, { type });
    setOutline(result);
    $("notes").replaceChildren(...result.notes.map((note) => el("li", {}, say(note))));
    $("import-status").textContent = t("imported", { sections: result.tree.sections.length, items: countItems(result.tree.sections) });
  } catch (error) {
    $("import-status").textContent = "";
    showError(describe(error));
  }
}

function importFile(file) {
  const type = /\.html?$/i.test(file.name) ? "text/html" : "application/octet-stream";
  importBody(file, type, file.name);  // the server decodes the bytes: UTF-8, GB18030 or UTF-16
}

function setUpImport() {
  $("paste").addEventListener("paste", (event) => {
    const html = event.clipboardData?.getData("text/html");
    const text = event.clipboardData?.getData("text/plain");
    // The text still lands in the box (to edit and re-import); the import uses the richest form offered.
    if (html) importBody(html, "text/html");
    else if (text) importBody(text, "text/plain; charset=utf-8");
  });
  $("import-btn").addEventListener("click", () => {
    const text = $("paste").value;
    if (text.trim()) importBody(text, "text/plain; charset=utf-8");
  });
  $("file").addEventListener("change", (event) => { if (event.target.files[0]) importFile(event.target.files[0]); });
  const drop = $("drop");
  for (const name of ["dragenter", "dragover"]) drop.addEventListener(name, (event) => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    if (event.dataTransfer.files[0]) importFile(event.dataTransfer.files[0]);
  });
}

// -- 2. the review tree -------------------------------------------------------------

function lines(text) { return text.split("\n").map((line) => line.trim()).filter(Boolean); }

function edited(structural) {
  // One undo step per burst of typing; a structural change is always its own step.
  if (structural || !state.editing) state.history.push(state.yaml);
  state.editing = !structural;
  syncTree(structural);
}

let syncTimer = 0;
let syncSeq = 0;
function syncTree(now) {
  clearTimeout(syncTimer);
  syncTimer = setTimeout(async () => {
    state.editing = false;
    const seq = ++syncSeq;
    try {
      const result = await api("/api/outline", { tree: state.tree });
      if (seq !== syncSeq) return;  // a later edit's answer is on its way
      state.yaml = result.yaml;
      $("yaml").value = result.yaml;
      updateGutter(null);
      if (now || JSON.stringify(shape(result.tree)) !== JSON.stringify(shape(state.tree))) {
        state.tree = result.tree;
        renderTree();
      } else {
        // Typing: keep the tree the inputs are editing (their handlers hold its nodes), take the new labels.
        adoptLabels(state.tree.sections, result.tree.sections);
        updateLabels();
      }
      $("undo").disabled = state.history.length === 0;
      showError("");
      schedulePreview(0);
    } catch (error) {
      if (seq === syncSeq) showError(describe(error));
    }
  }, now ? 0 : 150);
}

function shape(nodes) {
  return (nodes.sections ?? nodes).map((node) => shape(node.items));
}

function adoptLabels(nodes, answered) {
  nodes.forEach((node, i) => {
    node.label = answered[i].label;
    node.line = answered[i].line;
    adoptLabels(node.items, answered[i].items);
  });
}

function rowsFor(text) {
  // Tall enough for the text at about 36 Chinese characters a line, so a paragraph is read without scrolling.
  const wrapped = text.split("\n").reduce((rows, line) => rows + Math.max(1, Math.ceil(line.length / 36)), 0);
  return Math.min(12, Math.max(2, wrapped));
}

function field(labelKey, value, onChange, { multi = false, cls = "" } = {}) {
  const input = multi ? el("textarea", { rows: rowsFor(value), value, class: cls })
    : el("input", { type: "text", value, class: cls });
  input.addEventListener("input", (event) => { if (!event.isComposing) onChange(input.value); });  // not mid-IME (pinyin)
  return el("label", { class: "field" }, el("span", {}, t(labelKey)), input);
}

function numberingSelect(node) {
  const select = el("select", { class: "numbering" });
  const options = [["default", t("numbering_default")], ...TEMPLATES.map((tpl) => [tpl, tpl]), ["none", t("numbering_none")], ["custom", t("numbering_custom")]];
  if (![...TEMPLATES, "default", "none"].includes(node.numbering)) options.unshift([node.numbering, node.numbering]);
  for (const [value, text] of options) select.append(el("option", { value, selected: value === node.numbering }, text));
  select.addEventListener("change", () => {
    let value = select.value;
    if (value === "custom") value = window.prompt(t("numbering_prompt"), "") || node.numbering;
    node.numbering = value;
    edited(true);
  });
  return el("label", { class: "field inline" }, el("span", {}, t("numbering")), select);
}

function newNode(level) {
  return { label: "", title: t("new_title"), kicker: "", body: [], numbering: "default", line: null, items: [] };
}

function tool(labelKey, symbol, action) {
  return el("button", { type: "button", class: "tool", title: t(labelKey), "aria-label": t(labelKey), onclick: action }, symbol);
}

function nodeView(node, siblings, index, level) {
  const move = (delta) => {
    const target = index + delta;
    if (target < 0 || target >= siblings.length) return;
    [siblings[index], siblings[target]] = [siblings[target], siblings[index]];
    edited(true);
  };
  const tools = el("span", { class: "tools" },
    tool("up", "↑", () => move(-1)), tool("down", "↓", () => move(1)),
    tool("add_after", "＋", () => { siblings.splice(index + 1, 0, newNode(level)); edited(true); }),
    ...(level < 4 ? [tool("add_child", "↳", () => { node.items.push(newNode(level + 1)); edited(true); })] : []),
    tool("remove", "✕", () => {
      if (window.confirm(t("confirm_remove", { title: node.title }))) { siblings.splice(index, 1); edited(true); }
    }));
  const title = el("input", { type: "text", value: node.title, class: "title", "aria-label": t("meta_title") });
  title.addEventListener("input", (event) => { if (!event.isComposing) { node.title = title.value; edited(false); } });
  const view = el("div", { class: `node level-${level}`, "data-line": node.line ?? "" },
    el("div", { class: "head" }, el("span", { class: "label" }, node.label), title, tools));
  if (level === 1) view.append(field("kicker", node.kicker, (value) => { node.kicker = value; edited(false); }, { cls: "kicker" }));
  view.append(field("body", node.body.join("\n"), (value) => { node.body = lines(value); edited(false); }, { multi: true, cls: "body" }));
  if (node.items.length) view.append(numberingSelect(node));
  view.append(el("div", { class: "children" }, ...node.items.map((child, i) => nodeView(child, node.items, i, level + 1))));
  return view;
}

function renderTree() {
  const tree = state.tree;
  $("tree-empty").hidden = Boolean(tree);
  if (!tree) return;
  const meta = tree.meta;
  $("meta").replaceChildren(
    // A title the outline breaks into lines (title: |) is edited in a box that keeps the breaks.
    field("meta_title", meta.title, (value) => { meta.title = value; edited(false); },
      { cls: "doc-title", multi: meta.title.includes("\n") }),
    field("meta_subtitle", meta.subtitle, (value) => { meta.subtitle = value; edited(false); }),
    el("div", { class: "row" },
      field("meta_author", meta.author, (value) => { meta.author = value; edited(false); }),
      field("meta_date", meta.date, (value) => { meta.date = value; edited(false); })),
    field("lead", tree.lead.join("\n"), (value) => { tree.lead = lines(value); edited(false); }, { multi: true }));
  $("tree").replaceChildren(...tree.sections.map((node, i) => nodeView(node, tree.sections, i, 1)),
    el("button", { type: "button", class: "add-section", onclick: () => { tree.sections.push(newNode(1)); edited(true); } }, "＋ " + t("add_section")));
  markWarnings();
}

function updateLabels() {
  const labels = [];
  const walk = (nodes) => nodes.forEach((node) => { labels.push(node); walk(node.items); });
  walk(state.tree.sections);
  document.querySelectorAll("#tree .node").forEach((view, i) => {
    if (!labels[i]) return;
    view.querySelector(".label").textContent = labels[i].label;
    view.dataset.line = labels[i].line ?? "";
  });
}

async function undo() {
  const previous = state.history.pop();
  if (previous === undefined) return;
  try {
    setOutline(await api("/api/check", previous, { type: "application/yaml" }), { record: false });
    showError("");
  } catch (error) {
    showError(describe(error));
  }
}

// -- 2b. the YAML source ------------------------------------------------------------

function updateGutter(errorLine) {
  const count = $("yaml").value.split("\n").length;
  const gutter = $("gutter");
  gutter.replaceChildren(...Array.from({ length: count }, (_, i) =>
    el("span", { class: i + 1 === errorLine ? "bad" : "" }, `${i + 1}\n`)));
  gutter.scrollTop = $("yaml").scrollTop;
}

let yamlTimer = 0;
function setUpYaml() {
  const box = $("yaml");
  box.addEventListener("scroll", () => { $("gutter").scrollTop = box.scrollTop; });
  box.addEventListener("input", () => {
    if (!state.editing && state.yaml !== null) state.history.push(state.yaml);
    state.editing = true;
    updateGutter(null);
    clearTimeout(yamlTimer);
    yamlTimer = setTimeout(checkYaml, 250);
  });
  const show = (yaml) => {
    $("tab-tree").setAttribute("aria-selected", String(!yaml));
    $("tab-yaml").setAttribute("aria-selected", String(yaml));
    $("tree-view").hidden = yaml;
    $("yaml-view").hidden = !yaml;
  };
  $("tab-tree").addEventListener("click", () => show(false));
  $("tab-yaml").addEventListener("click", () => { show(true); updateGutter(null); });
}

async function checkYaml() {
  state.editing = false;
  const text = $("yaml").value;
  const box = $("yaml-error");
  try {
    const result = await api("/api/check", text, { type: "application/yaml" });
    box.hidden = true;
    setOutline(result, { record: false, keepYamlText: true });
  } catch (error) {
    const info = error.info ?? {};
    box.textContent = (info.line ? t("error_at", info) : "") + describe(error);
    box.hidden = false;
    updateGutter(info.line ?? null);
  }
}

// -- 3. the layout -------------------------------------------------------------------

async function setUpThemes() {
  const select = $("theme");
  try {
    for (const theme of await api("/api/themes")) {
      select.append(el("option", { value: theme.name, selected: theme.name === state.theme, title: theme.description }, `${theme.name} — ${LANG === "zh" ? THEMES_ZH[theme.name] ?? theme.description : theme.description}`));
    }
  } catch (error) {
    showError(describe(error));
  }
  select.addEventListener("change", () => {
    state.theme = select.value;
    state.themeFile = null;
    $("theme-status").textContent = "";
    schedulePreview(0);
  });
  $("theme-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    if (file.size > MAX_BYTES) { showError(t("too_large")); return; }
    state.themeFile = await file.text();
    $("theme-status").textContent = t("theme_loaded", { name: file.name });
    schedulePreview(0);
  });
}

function job(extra = {}) {
  return { outline: state.yaml, theme: state.theme, theme_file: state.themeFile, ...extra };
}

// -- 4. the preview ------------------------------------------------------------------
// One preview request at a time: edits made meanwhile are folded into the next one, so a stale
// outline is never rendered. The answer carries the page count and image addresses; the first page
// is fetched at once, every other page when it scrolls into view (the server draws it then).

const preview = { running: false, again: false, shownKey: null, build: null, observer: null, retried: null };

let previewTimer = 0;
function schedulePreview(delay = 100) {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(runPreview, delay);
}

function jobKey() { return JSON.stringify([state.yaml, state.theme, state.themeFile]); }

async function runPreview() {
  if (state.yaml === null) return;
  if (preview.running) { preview.again = true; return; }
  const key = jobKey();
  if (key === preview.shownKey) return;  // the same outline and layout: nothing to redraw
  preview.running = true;
  const seq = ++state.previewSeq;
  const started = performance.now();
  $("preview-status").textContent = t("preview_wait");
  try {
    const result = await api("/api/preview", job());
    await showPages(result, seq);
    preview.shownKey = key;
    $("preview-status").textContent = t("preview_done", { pages: result.pages.length, seconds: ((performance.now() - started) / 1000).toFixed(1) });
  } catch (error) {
    $("preview-status").textContent = describe(error);
  } finally {
    preview.running = false;
    if (preview.again) { preview.again = false; runPreview(); }
  }
}

function pageObserver() {
  // Pages load when they come near the visible part of the page list (it scrolls down, or sideways on a phone).
  if (!preview.observer) {
    preview.observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        entry.target.dataset.seen = entry.isIntersecting ? "1" : "";
        if (entry.isIntersecting) loadPage(entry.target);
      }
    }, { root: $("pages"), rootMargin: "50%" });
  }
  return preview.observer;
}

function loadPage(figure) {
  const img = figure.querySelector("img");
  if (figure.dataset.src && img.getAttribute("src") !== figure.dataset.src) img.src = figure.dataset.src;
}

function pageFigure() {
  const img = el("img", { alt: "" });
  // A server that dropped this preview (or restarted) answers 404: make the preview again, once per build.
  img.addEventListener("error", () => {
    if (!img.getAttribute("src") || preview.retried === preview.build) return;
    preview.retried = preview.build;
    img.removeAttribute("src");  // so that the same address is asked for again
    preview.build = preview.shownKey = null;
    schedulePreview(0);
  });
  const figure = el("figure", {}, img, el("figcaption", {}));
  pageObserver().observe(figure);
  return figure;
}

async function showPages(result, seq) {
  const pages = $("pages");
  if (result.build !== preview.build) {
    // Keep the figures (and the old images until the new ones arrive): no jump, no blank flash.
    while (pages.children.length > result.pages.length) { preview.observer?.unobserve(pages.lastChild); pages.lastChild.remove(); }
    while (pages.children.length < result.pages.length) pages.append(pageFigure());
    [...pages.children].forEach((figure, i) => {
      const [width, height] = result.sizes[i];
      const img = figure.querySelector("img");
      img.width = Math.round(width * 60 / 72);  // the server's 60 dpi: the box has the page's shape before the image comes
      img.height = Math.round(height * 60 / 72);
      img.alt = t("page", { n: i + 1 });
      figure.querySelector("figcaption").textContent = t("page", { n: i + 1 });
      figure.dataset.src = result.pages[i];
      if (figure.dataset.seen && i > 0) loadPage(figure);
    });
    preview.build = result.build;
    const first = pages.firstElementChild;
    if (first) {
      loadPage(first);
      try { await first.querySelector("img").decode(); } catch (_) { /* shown as broken; the status says more */ }
    }
  }
  if (seq === state.previewSeq) pages.dataset.version = String(seq);
  notices = result.notices;
  $("warnings").replaceChildren(...notices.map((notice) =>
    el("li", { class: notice.level }, `${t(notice.level)}：${notice.line ? t("line_at", notice) : ""}${say(notice)}`)));
  markWarnings();
}

let notices = [];

function markWarnings() {
  // A warning's line falls in the node that starts at or before it (the next node starts after it).
  const views = [...document.querySelectorAll("#tree .node")].filter((view) => view.dataset.line);
  views.forEach((view) => view.classList.remove("warned"));
  for (const notice of notices) {
    if (!notice.line || notice.level !== "warning") continue;
    const owner = views.filter((view) => Number(view.dataset.line) <= notice.line).pop();
    if (owner) { owner.classList.add("warned"); owner.title = say(notice); }
  }
}

// -- 5. downloads --------------------------------------------------------------------

function filenameOf(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const match = /filename\*=UTF-8''([^;]+)/i.exec(header);
  return match ? decodeURIComponent(match[1]) : fallback;
}

async function download(format) {
  const status = $("download-status");
  status.textContent = t("downloading", { name: format.toUpperCase() });
  try {
    const response = await api("/api/build", job({ format }), { raw: true });
    const name = filenameOf(response, `briefing.${format}`);
    const url = URL.createObjectURL(await response.blob());
    const link = el("a", { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    status.textContent = t("downloaded", { name });
  } catch (error) {
    status.textContent = "";
    showError(describe(error));
  }
}

// -- start -----------------------------------------------------------------------------

function translate() {
  document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
  document.querySelectorAll("[data-i18n-placeholder]").forEach((node) => { node.placeholder = t(node.dataset.i18nPlaceholder); });
  document.title = `${t("app_title")} · briefexport`;
  $("preview-status").textContent = t("preview_none");
}

document.addEventListener("DOMContentLoaded", () => {
  translate();
  setUpImport();
  setUpYaml();
  setUpThemes();
  $("undo").addEventListener("click", undo);
  document.querySelectorAll("#step-download button").forEach((button) => {
    button.addEventListener("click", () => download(button.dataset.format));
  });
});

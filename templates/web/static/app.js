// reportgen's local page: plain JavaScript, no libraries. Every text from the server is put into
// the page with textContent (never innerHTML), so a form's cell contents are shown, never run.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child !== null && child !== undefined)
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function show(node, visible) { node.hidden = !visible; }

function showError(box, message) {
  box.textContent = message || "";
  show(box, Boolean(message));
}

async function api(url, options = {}) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", ...options });
  } catch (err) {
    throw new Error("无法连接到 reportgen 服务器，请确认它仍在运行（终端中的 reportgen serve）。");
  }
  const type = response.headers.get("content-type") || "";
  if (!response.ok) {
    if (type.includes("json")) {
      const body = await response.json();
      throw new Error(body.error || "请求失败");
    }
    throw new Error(response.status === 413 ? "上传的文件太大。" : `请求失败（${response.status}）`);
  }
  return response;
}

// --- tabs ---------------------------------------------------------------------------------------
function selectTab(tab) {
  for (const t of document.querySelectorAll("[role=tab]")) {
    const on = t === tab;
    t.setAttribute("aria-selected", String(on));
    show(document.getElementById(t.getAttribute("aria-controls")), on);
  }
}

// --- limits checked before sending (the server checks again) -----------------------------------------
function checkFiles(files) {
  const body = document.body.dataset;
  const maxFile = Number(body.maxFile), maxTotal = Number(body.maxTotal), maxFiles = Number(body.maxFiles);
  const mb = (n) => Math.round(n / 1048576);
  if (files.length > maxFiles) return `一次最多上传 ${maxFiles} 个文件。`;
  let total = 0;
  for (const f of files) {
    if (f.size > maxFile) return `文件“${f.name}”超过 ${mb(maxFile)} MB 上限。`;
    total += f.size;
  }
  if (total > maxTotal) return `上传内容合计超过 ${mb(maxTotal)} MB 上限。`;
  return "";
}

// drag and drop onto a file label fills its input
function dropZone(label) {
  const input = $("input[type=file]", label);
  label.addEventListener("dragover", (e) => { e.preventDefault(); label.classList.add("over"); });
  label.addEventListener("dragleave", () => label.classList.remove("over"));
  label.addEventListener("drop", (e) => {
    e.preventDefault();
    label.classList.remove("over");
    input.files = e.dataTransfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
  input.addEventListener("change", () => {
    const span = $("span", label);
    if (!span.dataset.prompt) span.dataset.prompt = span.textContent;
    span.textContent = input.files.length
      ? Array.from(input.files).map((f) => f.name).join("、") : span.dataset.prompt;
  });
}

// --- 生成报告 -------------------------------------------------------------------------------------
const gen = { fills: {}, known: new Map(), timer: null, seq: 0 };

async function generate() {
  const input = $("#form-file");
  const error = $("#gen-error");
  if (!input.files.length) return;
  const problem = checkFiles(input.files);
  if (problem) { showError(error, problem); return; }
  const data = new FormData();
  data.append("form", input.files[0]);
  data.append("outline", $("#outline").value);
  gen.fills = {};
  gen.known = new Map();
  await runGenerate(() => api("/api/generate", { method: "POST", body: data }));
}

async function refill() {
  await runGenerate(() => api("/api/fill", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ fills: gen.fills, outline: $("#outline").value }),
  }));
}

async function runGenerate(request) {
  const error = $("#gen-error");
  const seq = ++gen.seq;
  showError(error, "");
  show($("#gen-busy"), true);
  try {
    const view = await (await request()).json();
    if (seq === gen.seq) renderDraft(view);
  } catch (err) {
    if (seq === gen.seq) showError(error, err.message);
  } finally {
    if (seq === gen.seq) show($("#gen-busy"), false);
  }
}

function computedMark(on) { return on ? el("span", { class: "computed", title: "按公式计算，自评表未填写" }, "计算") : null; }

function renderDraft(view) {
  show($("#gen-result"), true);
  $("#gen-title").textContent = view.title;
  const check = $("#gen-check");
  check.textContent = view.check.summary;
  check.className = "check-line " + (view.check.ok ? "ok" : "bad");

  const ev = view.evaluation;
  const table = $("#evaluation");
  table.replaceChildren();
  // each figure's source (a cell or line of the form, or the rule that computed it) shows on hover
  const cell = (attrs, source, ...children) => el("td", source ? { ...attrs, title: source, class: "sourced" } : attrs, ...children);
  for (const row of ev.budget)
    table.append(el("tr", {}, el("th", {}, row.label), cell({}, row.source, row.value, " ", computedMark(row.computed))));
  for (const c of ev.categories)
    table.append(el("tr", {}, el("th", {}, c.label), cell({}, c.source, `${c.score} / ${c.weight}`)));
  table.append(el("tr", { class: "total" }, el("th", {}, "自评总分"),
    cell({ id: "ev-total" }, ev.total_source, ev.total, " ", computedMark(ev.total_computed))));
  table.append(el("tr", {}, el("th", {}, "自评等级"),
    cell({ id: "ev-grade" }, ev.grade_source, ev.grade, " ", computedMark(ev.grade_computed))));

  const list = $("#findings");
  list.replaceChildren();
  $("#findings-count").textContent = `（${view.findings.length} 条）`;
  if (!view.findings.length) list.append(el("li", { class: "none" }, "未发现问题。"));
  for (const f of view.findings)
    list.append(el("li", { class: f.severity },
      el("span", { class: "badge" }, f.severity_label), " ",
      el("strong", {}, f.title), " ",
      f.where ? el("code", { class: "where" }, f.where) : null,
      el("div", { class: "message" }, f.message)));

  renderGaps(view);
  $("#preview").srcdoc = view.preview;
}

function renderGaps(view) {
  const form = $("#gaps");
  const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.gap : null;
  form.replaceChildren();
  $("#gaps-count").textContent = `（报告中还有 ${view.placeholders} 处）`;
  // an answered gap leaves the report but keeps its field, so the text stays editable
  const open = new Set(view.gaps.map((g) => g.id));
  for (const gap of view.gaps) gen.known.set(gap.id, gap);
  const shown = [...gen.known.values()].filter((g) => open.has(g.id) || (gen.fills[g.id] || "").trim());
  if (!shown.length) form.append(el("p", { class: "none" }, view.placeholders
    ? "报告中的待补充项无法在此填写，请在自评表中补充后重新上传。" : "报告中没有待补充的内容。"));
  for (const gap of shown) {
    const id = "gap-" + gap.id.replace(/[^A-Za-z0-9_-]/g, "_");
    const field = el(gap.multiline ? "textarea" : "input", { id, "data-gap": gap.id, placeholder: gap.hint, rows: "3" });
    field.value = gen.fills[gap.id] ?? gap.value ?? "";
    field.addEventListener("input", () => {
      gen.fills[gap.id] = field.value;
      clearTimeout(gen.timer);
      gen.timer = setTimeout(refill, 700);
    });
    form.append(el("div", { class: open.has(gap.id) ? "gap" : "gap done" },
      el("label", { for: id }, gap.label, open.has(gap.id) ? null : el("span", { class: "answered" }, " ✓ 已写入")),
      el("div", { class: "mark" }, gap.mark), field));
  }
  if (shown.length)
    form.append(el("button", { type: "submit", id: "gaps-apply" }, "更新预览"));
  if (focused) {
    const again = form.querySelector(`[data-gap="${CSS.escape(focused)}"]`);
    if (again) { again.focus(); again.setSelectionRange(again.value.length, again.value.length); }
  }
}

async function download(event) {
  event.preventDefault();
  const link = event.currentTarget;
  const error = $("#gen-error");
  showError(error, "");
  link.classList.add("working");
  try {
    const response = await api(link.getAttribute("href"));
    const blob = await response.blob();
    const disposition = response.headers.get("content-disposition") || "";
    const match = /filename\*=UTF-8''([^;]+)/.exec(disposition);
    const a = el("a", { href: URL.createObjectURL(blob), download: match ? decodeURIComponent(match[1]) : "report" });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  } catch (err) {
    showError(error, err.message);
  } finally {
    link.classList.remove("working");
  }
}

// --- 检查报告 -------------------------------------------------------------------------------------
async function checkDraft(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const error = $("#check-error");
  showError(error, "");
  if (!$("#check-draft").files.length) { showError(error, "请选择要检查的报告。"); return; }
  const problem = checkFiles([...$("#check-draft").files, ...$("#check-data").files]);
  if (problem) { showError(error, problem); return; }
  show($("#check-busy"), true);
  try {
    const view = await (await api("/api/check", { method: "POST", body: new FormData(form) })).json();
    renderCheck(view);
  } catch (err) {
    showError(error, err.message);
  } finally {
    show($("#check-busy"), false);
  }
}

const TERM_STATUS = { present: "✓ 有", missing: "✗ 缺少", advised: "△ 建议补充", na: "— 不适用" };

function renderCheck(view) {
  show($("#check-result"), true);
  const summary = $("#check-summary");
  summary.textContent = view.summary;
  summary.className = "check-line " + (view.ok ? "ok" : "bad");
  const problems = $("#check-problems");
  problems.replaceChildren(el("tr", {}, el("th", {}, "章节"), el("th", {}, view.line_unit), el("th", {}, "问题"), el("th", {}, "建议")));
  if (!view.problems.length) problems.append(el("tr", {}, el("td", { colspan: "4" }, "没有问题。")));
  for (const p of view.problems)
    problems.append(el("tr", { class: p.severity },
      el("td", {}, p.heading || p.section), el("td", {}, p.line ? `第${p.line}${view.line_unit}` : "—"),
      el("td", {}, el("strong", {}, p.label), " ", p.message), el("td", {}, p.suggestion)));
  const terms = $("#check-terms");
  terms.replaceChildren(el("tr", {}, el("th", {}, "章节"), el("th", {}, "用语"), el("th", {}, "结果")));
  for (const t of view.terms)
    terms.append(el("tr", { class: t.status }, el("td", {}, t.section), el("td", {}, t.name),
      el("td", {}, TERM_STATUS[t.status], " ", t.found)));
  const facts = $("#check-facts");
  facts.replaceChildren();
  if (!view.facts_checked) facts.append(el("p", { class: "note" }, "未提供自评表，未核对总分、等级、预算数字和扣分指标。"));
  else if (!view.facts.length) facts.append(el("p", { class: "ok" }, `已对照“${view.form}”核对：总分、等级、预算数字和扣分指标均与自评表一致。`));
  else facts.append(el("ul", { class: "findings" }, ...view.facts.map((p) => el("li", { class: p.severity },
    el("strong", {}, p.label), " ", p.message))));
}

// --- 批量生成 -------------------------------------------------------------------------------------
const batch = { id: null, timer: null };

async function startBatch(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const error = $("#batch-error");
  showError(error, "");
  const files = $("#batch-files").files;
  if (!files.length) { showError(error, "请选择要批量生成的自评表或 zip 压缩包。"); return; }
  const problem = checkFiles(files);
  if (problem) { showError(error, problem); return; }
  const data = new FormData();
  for (const f of files) data.append("files", f);
  data.append("formats", [...form.querySelectorAll("input[name=fmt]:checked")].map((c) => c.value).join(","));
  data.append("outline", form.elements.outline.value);
  $("#batch-run").disabled = true;
  try {
    const job = await (await api("/api/batch", { method: "POST", body: data })).json();
    batch.id = job.id;
    show($("#batch-result"), true);
    show($("#batch-zip"), false);
    $("#batch-rows").replaceChildren();
    $("#batch-failures").replaceChildren();
    const bar = $("#batch-progress");
    bar.max = job.total;
    bar.value = 0;
    $("#batch-status").textContent = `已上传 ${job.total} 个文件，正在生成…` +
      (job.skipped.length ? `（未处理：${job.skipped.join("、")}）` : "");
    poll();
  } catch (err) {
    showError(error, err.message);
    $("#batch-run").disabled = false;
  }
}

async function poll() {
  const id = batch.id;
  try {
    const status = await (await api(`/api/batch/${id}`)).json();
    if (id !== batch.id) return;
    renderBatch(status);
    if (!status.finished) batch.timer = setTimeout(poll, 400);
    else $("#batch-run").disabled = false;
  } catch (err) {
    showError($("#batch-error"), err.message);
    $("#batch-run").disabled = false;
  }
}

function renderBatch(status) {
  const bar = $("#batch-progress");
  bar.max = Math.max(status.total, 1);
  bar.value = status.done;
  const rows = $("#batch-rows");
  rows.replaceChildren(el("tr", {}, el("th", {}, "文件"), el("th", {}, "项目"), el("th", {}, "状态"),
    el("th", {}, "总分"), el("th", {}, "等级"), el("th", {}, "待补充")));
  for (const r of status.rows)
    rows.append(el("tr", { class: r.status }, el("td", {}, r.input), el("td", {}, r.project),
      el("td", {}, r.status_label), el("td", {}, r.total), el("td", {}, r.grade), el("td", {}, r.placeholders || "")));
  const failures = $("#batch-failures");
  failures.replaceChildren(...status.rows.filter((r) => r.status === "failed").map((r) =>
    el("li", { class: "error" }, el("strong", {}, `失败：${r.input}`), el("div", { class: "message" }, r.message))));
  const line = $("#batch-status");
  if (!status.finished) { line.textContent = `正在生成：已完成 ${status.done} / ${status.total}`; return; }
  if (status.error) { line.textContent = ""; showError($("#batch-error"), status.error); return; }
  const c = status.counts;
  line.textContent = `完成：共 ${status.done} 个文件，成功 ${c.ok + c.check_failed} 个项目` +
    `（其中 ${c.check_failed} 个检查未通过），失败 ${c.failed} 个；用时 ${status.elapsed} 秒。`;
  const zip = $("#batch-zip");
  zip.href = `/api/batch/${status.id}/zip`;
  show(zip, true);
}

// --- wiring -----------------------------------------------------------------------------------------
document.addEventListener("DOMContentLoaded", () => {
  for (const tab of document.querySelectorAll("[role=tab]")) tab.addEventListener("click", () => selectTab(tab));
  for (const label of document.querySelectorAll("label.drop")) dropZone(label);
  $("#form-file").addEventListener("change", generate);
  $("#outline").addEventListener("change", () => { if (gen.seq) refill(); });
  $("#gaps").addEventListener("submit", (e) => { e.preventDefault(); clearTimeout(gen.timer); refill(); });
  for (const link of document.querySelectorAll(".downloads a")) link.addEventListener("click", download);
  $("#check-form").addEventListener("submit", checkDraft);
  $("#batch-form").addEventListener("submit", startBatch);
  document.body.dataset.ready = "1";
});

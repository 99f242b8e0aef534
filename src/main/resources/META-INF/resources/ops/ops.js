// The /ops page. The admin token lives in this script's memory only (no sessionStorage or localStorage): a
// reload or a closed tab forgets it, and no other script on the origin can read it back from storage.
const $ = id => document.getElementById(id);
const esc = s => String(s ?? "").replace(/[&<>"]/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;"}[c]));
let lastDryRun = null;
let token = null;

async function api(method, path, body) {
  const r = await fetch(path, {method, headers: {"Authorization": "Bearer " + token, "Content-Type": "application/json"},
    body: body ? JSON.stringify(body) : undefined});
  const data = r.headers.get("content-type")?.includes("json") ? await r.json() : await r.text();
  if (!r.ok) { throw new Error((data && data.error) || ("HTTP " + r.status)); }
  return data;
}

function filter() {
  const f = {};
  if ($("f-class").value) f.errorClass = $("f-class").value;
  if ($("f-account").value) f.accountId = $("f-account").value.trim();
  if ($("f-type").value) f.jobType = $("f-type").value;
  if ($("f-since").value) f.since = $("f-since").value.trim();
  if ($("f-until").value) f.until = $("f-until").value.trim();
  return f;
}

function query(f) {
  const q = new URLSearchParams(f);
  if ($("f-state").value) q.set("state", $("f-state").value);
  q.set("limit", "200");
  return q.toString();
}

function counts(table, map, onPick) {
  const rows = Object.entries(map || {});
  $(table).innerHTML = rows.length ? rows.map(([k, n]) => `<tr class="pick" data-k="${esc(k)}"><td>${esc(k)}</td><td class="num">${n}</td></tr>`).join("")
    : `<tr><td class="muted">none</td></tr>`;
  $(table).querySelectorAll("tr.pick").forEach(tr => tr.onclick = () => onPick(tr.dataset.k));
}

function chart(perHour) {
  const entries = Object.entries(perHour || {});
  const svg = $("chart"); const w = svg.clientWidth || 800; const h = 120;
  if (!entries.length) { svg.innerHTML = `<text x="8" y="20" fill="#6b7785">no new dead letters in 7 days</text>`; return; }
  const max = Math.max(...entries.map(e => e[1])); const bw = Math.max(2, Math.floor((w - 40) / 168));
  const start = Date.now() - 7 * 24 * 3600e3;
  svg.innerHTML = entries.map(([hour, n]) => {
    const x = 30 + Math.floor((Date.parse(hour) - start) / 3600e3) * bw; const bh = Math.round((n / max) * (h - 25));
    return `<rect x="${x}" y="${h - 15 - bh}" width="${bw - 1}" height="${bh}" fill="#0a66c2"><title>${esc(hour)}: ${n}</title></rect>`;
  }).join("") + `<text x="0" y="12" font-size="11" fill="#6b7785">${max}</text><text x="30" y="${h - 2}" font-size="11" fill="#6b7785">7 days ago</text>`
    + `<text x="${w - 40}" y="${h - 2}" font-size="11" fill="#6b7785">now</text>`;
}

async function refresh() {
  const s = await api("GET", "/admin/dead-letters/summary");
  counts("by-class", s.byClass, k => { $("f-class").value = k; search(); });
  counts("by-account", s.byAccount, k => { $("f-account").value = k; search(); });
  chart(s.perHour);
  $("who").textContent = `retention ${s.retention} · loop guard after ${s.maxReplays} replays · ${s.replayRatePerSecond}/s · ${Math.round(s.replayBudgetShare * 100)} % of the remaining budget`;
  const accounts = await api("GET", "/admin/accounts?status=REAUTH_REQUIRED");
  $("reauth").innerHTML = accounts.length ? "<tr><th>account</th><th>member</th><th>since</th></tr>" + accounts.map(a =>
    `<tr><td>${esc(a.accountId)}</td><td>${esc(a.memberUrn)}</td><td>${esc(a.updatedAt)}</td></tr>`).join("") : `<tr><td class="muted">none</td></tr>`;
  const audit = await api("GET", "/admin/dead-letters/audit?limit=10");
  $("audit").innerHTML = audit.length ? "<tr><th>when</th><th>who</th><th>what</th><th>filter</th><th class=num>done</th></tr>" + audit.map(a =>
    `<tr><td>${esc(a.at)}</td><td>${esc(a.operator)}</td><td>${esc(a.action)}${a.dryRun ? " (dry run)" : ""} · ${esc(a.state)}</td><td>${esc(a.filter)}</td>`
    + `<td class="num">${a.action === "DISCARD" ? a.discarded : a.replayed}/${a.matched}</td></tr>`).join("") : `<tr><td class="muted">nothing yet</td></tr>`;
}

async function search() {
  $("filter-error").textContent = ""; $("replay").disabled = true; lastDryRun = null; $("replay-report").hidden = true;
  try {
    const page = await api("GET", "/admin/dead-letters?" + query(filter()));
    $("list").innerHTML = "<tr><th>id</th><th>dead at</th><th>class</th><th>account</th><th>type</th><th class=num>replays</th><th>message</th></tr>"
      + page.items.map(d => `<tr class="pick" data-id="${d.id}"><td>${d.id}</td><td>${esc(d.deadAt)}</td><td>${esc(d.errorClass)}</td>`
      + `<td>${esc(d.accountId)}</td><td>${esc(d.jobType)}</td><td class="num">${d.replayCount}</td><td>${esc(d.message).slice(0, 140)}</td></tr>`).join("")
      + `<tr><td colspan="7" class="muted" id="list-count">${page.count} dead letter(s)</td></tr>`;
    $("list").querySelectorAll("tr.pick").forEach(tr => tr.onclick = () => show(tr.dataset.id));
  } catch (e) { $("filter-error").textContent = e.message; }
}

async function show(id) {
  const d = await api("GET", "/admin/dead-letters/" + id);
  $("detail").hidden = false; $("d-id").textContent = "#" + d.id;
  const rows = [["state", d.state], ["error class", d.errorClass], ["LinkedIn's message", d.message], ["HTTP status", d.httpStatus],
    ["LinkedIn code", d.linkedinCode], ["serviceErrorCode", d.serviceErrorCode], ["x-li-uuid", d.linkedinRequestId],
    ["job", `${d.jobId} (${d.jobType})`], ["account", d.accountId], ["attempts", d.attempts], ["replays", d.replayCount],
    ["first / last failure", `${d.firstFailureAt} / ${d.lastFailureAt}`], ["original", `${d.original.topic}-${d.original.partition}@${d.original.offset}`]];
  $("d-body").innerHTML = "<table>" + rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("") + "</table>"
    + "<h2>Payload</h2><pre id='d-payload'>" + esc(d.payload) + "</pre><h2>Headers</h2><pre>" + esc(JSON.stringify(d.headers, null, 2)) + "</pre>";
}

async function dryRun() {
  $("replay-result").textContent = "";
  const r = await api("POST", "/admin/dead-letters/replay", {filter: filter(), limit: 200, dryRun: true});
  lastDryRun = r;
  $("replay-report").hidden = false;
  $("replay-report").textContent = `would replay ${r.ids.length} of ${r.matched} matched; refused by the loop guard ${r.refusedLoopGuard.length}; `
    + `waiting for budget ${r.deferredForBudget.length}\n` + Object.entries(r.budget).map(([res, b]) =>
      `${res}: needs ${b.needed}, app budget left ${b.remaining ?? "?"}, a replay may take ${b.allowed ?? "no limit"}`).join("\n");
  $("replay").disabled = r.ids.length === 0;
  $("replay").textContent = `Replay ${r.ids.length}`;
}

async function replay() {
  if (!lastDryRun || !confirm(`Replay ${lastDryRun.ids.length} dead letter(s) to their original topics?`)) return;
  const r = await api("POST", "/admin/dead-letters/replay", {filter: {ids: lastDryRun.ids}, limit: lastDryRun.ids.length, dryRun: false});
  $("replay-result").innerHTML = `<span class="ok" id="replay-done">replayed ${r.replayed}</span>`;
  $("replay").disabled = true; lastDryRun = null;
  await search(); await refresh();
}

async function discard() {
  const f = filter();
  if (!confirm("Discard the dead letters that match this filter (they will not be replayed)?")) return;
  const r = await api("POST", "/admin/dead-letters/discard", {filter: f, limit: 200});
  $("replay-result").innerHTML = `<span class="ok">discarded ${r.discarded}</span>`;
  await search(); await refresh();
}

// The job types, error classes and dead-letter states come from Courier itself (GET /admin/vocabulary), never a list
// kept here. States go before "any"; the first (NEW) is selected.
async function vocabulary() {
  if ($("f-class").options.length > 1) return;
  const v = await api("GET", "/admin/vocabulary");
  v.errorClasses.forEach(c => $("f-class").add(new Option(c, c)));
  v.jobTypes.forEach(t => $("f-type").add(new Option(t, t)));
  const any = $("f-state").options[0];
  v.deadLetterStates.forEach(s => $("f-state").add(new Option(s, s), any));
  $("f-state").selectedIndex = 0;
}

// --- The front page: overview, accounts, jobs; the views refresh themselves every 5 s while shown -------------
const table = (head, rows) => rows.length ? `<tr>${head.map(h => `<th>${h}</th>`).join("")}</tr>` + rows.join("")
  : `<tr><td class="muted">none</td></tr>`;
const row = cells => `<tr>${cells.map(c => `<td>${c}</td>`).join("")}</tr>`;
const unavailable = part => part && part.unavailable !== undefined;

async function overview() {
  const o = await api("GET", "/admin/overview");
  const nested = (m, head) => unavailable(m) ? `<tr><td class="bad">unavailable: ${esc(m.unavailable)}</td></tr>`
    : table(head, Object.entries(m).flatMap(([k, inner]) => Object.entries(inner).map(([s, n]) => row([esc(k), esc(s), `<span class="num">${n}</span>`]))));
  $("o-outcomes").innerHTML = nested(o.lastHour, ["type", "outcome", "jobs"]);
  $("o-dead").innerHTML = nested(o.deadLettersLastHour, ["type", "class", "dead letters"]);
  $("o-lag").innerHTML = unavailable(o.lag) ? `<tr><td class="bad">unavailable: ${esc(o.lag.unavailable)}</td></tr>`
    : table(["topic", "records"], Object.entries(o.lag).map(([t, n]) => row([esc(t), `<span class="num">${n}</span>`])));
  $("o-version").innerHTML = `LinkedIn-Version ${esc(o.version.version)}: <span class="${o.version.status === "ok" ? "ok" : "bad"}">${esc(o.version.status)}</span>`;
  const notClosed = Object.entries(o.breakers).filter(([, s]) => s !== "CLOSED");
  $("o-breakers").innerHTML = notClosed.length ? table(["circuit (this pod)", "state"], notClosed.map(([b, s]) =>
    row([esc(b), `<span class="bad">${esc(s)}</span>`])))
    : `<tr><td class="ok">all ${Object.keys(o.breakers).length} circuits closed (this pod)</td></tr>`;
  $("o-budgets").innerHTML = table(["resource", "left of the day", "", "per member", "top members this window"], o.budgets.map(b => {
    const left = b.appRemaining ?? null; // a <progress>, not a styled div: the CSP allows no inline style
    return row([esc(b.resource), `<span class="num">${left === null ? "?" : Math.floor(left)} / ${b.appDaily}</span>`,
      `<progress max="${b.appDaily}" value="${left === null ? 0 : Math.max(0, left)}"></progress>`, `<span class="num">${b.memberDaily}</span>`,
      b.topMembers.map(m => `${esc(m.accountId)} <span class="muted">${m.calls}</span>`).join("<br>")]);
  }));
  $("o-pauses").innerHTML = table(["what", "paused by", "since", ""], o.pauses.map(p => row([`${esc(p.scope)} <b>${esc(p.value)}</b>`,
    esc(p.pausedBy), esc(p.pausedAt), `<button class="small resume operator-only" data-scope="${p.scope === "account" ? "accounts" : "job-types"}" data-value="${esc(p.value)}">Resume</button>`])));
  $("o-pauses").querySelectorAll("button.resume").forEach(b => b.onclick = () =>
    api("DELETE", `/admin/pauses/${b.dataset.scope}/${encodeURIComponent(b.dataset.value)}`).then(overview).catch(e => $("p-msg").textContent = e.message));
}

async function pause(scope, value) {
  $("p-msg").textContent = "";
  await api("PUT", `/admin/pauses/${scope}/${encodeURIComponent(value)}`);
  await overview();
}

async function accounts() {
  const list = await api("GET", "/admin/accounts?status=" + encodeURIComponent($("a-status").value));
  $("accounts").innerHTML = table(["account", "member", "status", "reason", "since", ""], list.map(a => row([esc(a.accountId),
    esc(a.memberUrn), esc(a.status), esc(a.statusReason), esc(a.updatedAt),
    `<button class="small secondary jobs" data-account="${esc(a.accountId)}">Jobs</button> <button class="small pause-account operator-only" data-account="${esc(a.accountId)}">Pause</button>`])));
  $("accounts").querySelectorAll("button.jobs").forEach(b => b.onclick = () => { $("j-account").value = b.dataset.account; $("j-id").value = ""; show_view("jobs"); });
  $("accounts").querySelectorAll("button.pause-account").forEach(b => b.onclick = () => pause("accounts", b.dataset.account).then(() => b.textContent = "Paused"));
}

async function connectLink() {
  const r = await api("POST", `/admin/accounts/${encodeURIComponent($("l-account").value.trim())}/connect-link`, {allowRebind: $("l-rebind").checked});
  $("l-result").innerHTML = `Single-use link until ${esc(r.expiresAt)}: <a id="l-url" href="${esc(r.url)}">${esc(r.url)}</a>`;
}

async function jobs() {
  $("j-msg").textContent = ""; const account = $("j-account").value.trim(); const id = $("j-id").value.trim();
  if (!account) return;
  if (!id) {
    const r = await api("GET", "/admin/jobs?accountId=" + encodeURIComponent(account));
    $("j-body").innerHTML = `<h2>Latest outcomes</h2><table>${table(["job", "type", "outcome", "finished"], r.finished.map(j =>
      `<tr class="pick" data-id="${esc(j.jobId)}"><td>${esc(j.jobId)}</td><td>${esc(j.jobType)}</td><td>${esc(j.status)}</td><td>${esc(j.finishedAt)}</td></tr>`))}</table>`
      + `<h2>Waiting</h2><table>${table(["job", "type", "why", "attempts", "last class", "comes back", "since"], r.waiting.map(w =>
      `<tr class="pick" data-id="${esc(w.jobId)}"><td>${esc(w.jobId)}</td><td>${esc(w.jobType)}</td><td>${esc(w.waitsFor)}</td><td>${w.attempts ?? ""}</td><td>${esc(w.errorClass)}</td><td>${esc(w.dueAt ?? "")}</td><td>${esc(w.seenAt)}</td></tr>`))}</table>`
      + `<h2>Places in the account's lanes</h2><table>${table(["job", "topic", "comes back", "since"], r.lanes.map(w => row([esc(w.jobId), esc(w.topic), esc(w.dueAt ?? "parked"), esc(w.joinedAt)])))}</table>`
      + `<h2>Parked until re-authorized</h2><table>${table(["job", "type", "parked"], r.parked.map(p => row([esc(p.jobId), esc(p.jobType), esc(p.parkedAt)])))}</table>`;
    $("j-body").querySelectorAll("tr.pick").forEach(tr => tr.onclick = () => { $("j-id").value = tr.dataset.id; jobs(); });
    return;
  }
  const j = await api("GET", `/admin/jobs/${encodeURIComponent(account)}/${encodeURIComponent(id)}`);
  const o = j.outcome;
  $("j-body").innerHTML = `<h2>Job ${esc(id)}</h2><table>`
    + row(["outcome", o ? `<b id="j-status">${esc(o.status)}</b> at ${esc(o.finishedAt)} (${esc(o.jobType)})` : `<span id="j-status">not finished</span>`])
    + row(["lane place", j.waiting.map(w => `${esc(w.topic)} since ${esc(w.joinedAt)}`).join("<br>") || "none"])
    + row(["parked", j.parked.map(p => `since ${esc(p.parkedAt)}`).join("<br>") || "no"])
    + (j.version && !o && !j.version.deadLettered ? row(["waits for", `<span id="j-waits">${esc(j.version.waitsFor)}</span>`
      + (j.version.dueAt ? `, comes back <span id="j-due">${esc(j.version.dueAt)}</span>` : "")
      + (j.version.dueAt && Date.parse(j.version.dueAt) < Date.now() ? " (past: being run, or waiting behind an earlier job)" : "")
      + (j.pausedBy.length ? ` (${j.pausedBy.map(p => `${esc(p.scope)} ${esc(p.value)} paused by ${esc(p.pausedBy)}`).join(", ")})` : "")]) : "")
    + (j.version && !o && !j.version.deadLettered && j.version.errorClass ? row(["attempts", `<span id="j-attempts">${j.version.attempts}</span>, last failed <span id="j-class">${esc(j.version.errorClass)}</span>: ${esc(j.version.lastError)}`]) : "")
    + (j.version ? row(["on record", `${esc(j.version.jobType)} created ${esc(j.version.createdAt)}, last waited ${esc(j.version.seenAt)}`]) : "") + "</table>"
    + `<h2>Dead letters</h2><table>${table(["id", "class", "attempts", "at", "state", "message"], j.deadLetters.map(d =>
      row([d.id, esc(d.errorClass), d.attempts, esc(d.deadAt), esc(d.state), esc(d.message).slice(0, 160)])))}</table>`
    + (o ? `<h2>Result</h2><pre>${esc(JSON.stringify(JSON.parse(o.result), null, 2))}</pre>`
      : `<p class="operator-only"><button id="j-cancel" class="danger">Cancel this job</button></p>`);
  if (!o) $("j-cancel").onclick = async () => {
    if (!confirm(`Cancel job ${id}? It will not run.`)) return;
    try { await api("POST", `/admin/jobs/${encodeURIComponent(account)}/${encodeURIComponent(id)}/cancel`); } catch (e) { $("j-msg").textContent = e.message; }
    await jobs();
  };
}

let current = "overview";
const views = {overview, accounts, jobs, "dead-letters": () => refresh()};
async function show_view(name) {
  current = name;
  document.querySelectorAll(".view").forEach(v => v.hidden = v.id !== "view-" + name);
  document.querySelectorAll("nav .tab").forEach(t => t.classList.toggle("on", t.dataset.view === name));
  await views[name]().catch(e => $("updated").textContent = e.message);
  $("updated").textContent = "updated " + new Date().toLocaleTimeString();
}

// Live: the shown view is read again 5 s after its last answer (never two at once), not while the tab is hidden.
async function live() {
  if (token && current !== "jobs" && !document.hidden) await show_view(current);
  setTimeout(live, 5000);
}
setTimeout(live, 5000);

async function open() {
  try {
    const me = await api("GET", "/admin/whoami");
    $("caller").textContent = `${me.name} (${me.role})`;
    document.body.dataset.role = me.role;
    await vocabulary();
  } catch (e) { $("login-error").textContent = e.message; token = null; return; }
  $("login").hidden = true; $("app").hidden = false; $("logout").hidden = false; $("nav").hidden = false;
  await show_view("overview");
  await search();
}

document.querySelectorAll("nav .tab").forEach(t => t.onclick = () => show_view(t.dataset.view));
$("pause-form").onsubmit = e => { e.preventDefault(); pause($("p-scope").value, $("p-value").value.trim()).catch(err => $("p-msg").textContent = err.message); };
$("a-form").onsubmit = e => { e.preventDefault(); accounts(); };
$("link-form").onsubmit = e => { e.preventDefault(); connectLink().catch(err => $("l-result").textContent = err.message); };
$("j-form").onsubmit = e => { e.preventDefault(); jobs().catch(err => $("j-msg").textContent = err.message); };

$("login-form").onsubmit = e => { e.preventDefault(); token = $("token").value; $("token").value = ""; open(); };
$("logout").onclick = () => { token = null; location.reload(); };
$("filter").onsubmit = e => { e.preventDefault(); search(); };
$("dry-run").onclick = () => dryRun().catch(e => $("replay-result").textContent = e.message);
$("replay").onclick = () => replay().catch(e => $("replay-result").textContent = e.message);
$("discard").onclick = () => discard().catch(e => $("replay-result").textContent = e.message);

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

async function open() {
  try {
    const me = await api("GET", "/admin/whoami");
    $("caller").textContent = `${me.name} (${me.role})`;
    await vocabulary();
    await refresh();
  } catch (e) { $("login-error").textContent = e.message; token = null; return; }
  $("login").hidden = true; $("app").hidden = false; $("logout").hidden = false;
  await search();
}

$("login-form").onsubmit = e => { e.preventDefault(); token = $("token").value; $("token").value = ""; open(); };
$("logout").onclick = () => { token = null; location.reload(); };
$("filter").onsubmit = e => { e.preventDefault(); search(); };
$("dry-run").onclick = () => dryRun().catch(e => $("replay-result").textContent = e.message);
$("replay").onclick = () => replay().catch(e => $("replay-result").textContent = e.message);
$("discard").onclick = () => discard().catch(e => $("replay-result").textContent = e.message);

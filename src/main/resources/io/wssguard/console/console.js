// wssguard console. Plain JavaScript, no build step. Every string from the server (addresses,
// routes, reasons, Origin values inside event details) may come from an attacker: it only ever
// reaches the page as text (textContent / text nodes), never as HTML.
'use strict';

(() => {
  const POLL_MS = 1000;
  const HISTORY_SECONDS = 900;
  const MAX_EVENTS = 1000;
  const $ = (id) => document.getElementById(id);

  let csrf = null;
  let view = null;
  let timer = null;
  let polling = false;

  // ---- DOM helpers: text only ----

  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (k === 'class') e.className = v;
        else if (k === 'onclick') e.addEventListener('click', v);
        else e.setAttribute(k, v);
      }
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function setText(id, text) { $(id).textContent = text; }

  function fillTable(id, rows, emptyText) {
    const body = $(id).tBodies[0];
    const cols = $(id).tHead.rows[0].cells.length;
    body.replaceChildren(...(rows.length ? rows : [el('tr', { class: 'empty' }, el('td', { colspan: String(cols) }, emptyText))]));
  }

  function num(x, digits) {
    if (x === null || x === undefined || !isFinite(x)) return '–';
    if (digits === undefined) digits = x >= 100 ? 0 : x >= 10 ? 1 : 2;
    return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  }

  function bytes(x) {
    const units = ['B', 'KB', 'MB', 'GB'];
    let i = 0;
    while (x >= 1000 && i < units.length - 1) { x /= 1000; i++; }
    return num(x) + ' ' + units[i];
  }

  function time(iso) {
    if (!iso) return '–';
    const d = new Date(iso);
    return isNaN(d) ? String(iso) : d.toLocaleString('en-GB', { hour12: false });
  }

  // ---- the API: the cookie goes by itself, the CSRF token with every change ----

  async function api(method, path, body) {
    const headers = {};
    if (method !== 'GET') {
      headers['Content-Type'] = 'application/json';
      if (csrf) headers['X-CSRF-Token'] = csrf;
    }
    const r = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    if (r.status === 401 && path !== '/session') {
      signedOut('Your session has ended: sign in again.');
    }
    return { status: r.status, data, retryAfter: r.headers.get('Retry-After') };
  }

  // ---- sign-in ----

  function signedOut(message) {
    csrf = null;
    stopPolling();
    document.querySelectorAll('.view').forEach((s) => s.classList.add('hidden'));
    $('nav').classList.add('hidden');
    $('sign-out').classList.add('hidden');
    $('signin').classList.remove('hidden');
    setText('signin-error', message || '');
    setText('status', '');
    $('token').focus();
  }

  function signedIn(session) {
    csrf = session.csrf;
    $('signin').classList.add('hidden');
    $('nav').classList.remove('hidden');
    $('sign-out').classList.remove('hidden');
    $('token').value = '';
    setText('signin-error', '');
    show(viewInHash());
  }

  $('signin-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const token = $('token').value.trim();
    setText('signin-error', '');
    // The token goes in a header, never in a URL; the form itself is never submitted.
    const r = await fetch('/session', {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
      body: '{}',
    });
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    if (r.status === 200) {
      signedIn(data);
    } else if (r.status === 429) {
      setText('signin-error', (data && data.error) || 'Too many attempts: wait ' + r.headers.get('Retry-After') + ' s.');
    } else {
      setText('signin-error', r.status === 401 ? 'Wrong admin token.' : (data && data.error) || 'Sign-in failed (' + r.status + ').');
    }
  });

  $('sign-out').addEventListener('click', async () => {
    await api('DELETE', '/session');
    signedOut('Signed out.');
  });

  // ---- views ----

  const views = {
    overview: { poll: pollOverview },
    sources: { poll: pollSources },
    bans: { poll: pollBans },
    policies: { poll: pollPolicies },
    events: { poll: pollEvents },
  };

  function show(name) {
    if (!views[name]) name = 'overview';
    view = name;
    document.querySelectorAll('.view').forEach((s) => s.classList.toggle('hidden', s.id !== name));
    document.querySelectorAll('#nav a').forEach((a) => a.classList.toggle('active', a.dataset.view === name));
    if (viewInHash() !== name) history.replaceState(null, '', '#/' + name);
    window.scrollTo(0, 0);
    if (name === 'overview') resizeCharts();
    startPolling();
  }

  // '#/bans', not '#bans': a fragment naming an element would scroll the page to it.
  function viewInHash() { return location.hash.replace(/^#\/?/, ''); }

  window.addEventListener('hashchange', () => { if (csrf) show(viewInHash()); });

  function startPolling() {
    stopPolling();
    const tick = async () => {
      if (polling) return;
      polling = true;
      try {
        await views[view].poll();
        if (view !== 'events') await pollEvents(true);
        $('status').classList.remove('stale');
        setText('status', 'live · ' + new Date().toLocaleTimeString('en-GB', { hour12: false }));
      } catch (e) {
        $('status').classList.add('stale');
        setText('status', 'no answer from the proxy');
      } finally {
        polling = false;
      }
    };
    tick();
    timer = setInterval(tick, POLL_MS);
  }

  function stopPolling() {
    if (timer) clearInterval(timer);
    timer = null;
  }

  // ---- overview ----

  const COLORS = ['#1d4ed8', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
  const charts = {};
  const series = { t: [], open: [], accepted: [], refused: [], malformed: [], backendFailed: [], tls: [], routes: {} };
  let lastAt = 0;

  function chart(id, names, unit) {
    const key = names.join('\u0000');
    const c = charts[id];
    if (c && c.key === key) return c.plot;
    if (c) c.plot.destroy();
    const target = $(id);
    const opts = {
      width: Math.max(200, target.clientWidth || 300),
      height: 170,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [{ stroke: '#5b6676' }, { stroke: '#5b6676', size: 56, values: (u, v) => v.map((x) => unit === 'bytes' ? bytes(x) : num(x)) }],
      series: [{}].concat(names.map((n, i) => ({ label: n, stroke: COLORS[i % COLORS.length], width: 1.5, points: { show: false } }))),
    };
    const plot = new uPlot(opts, [[]].concat(names.map(() => [])), target);
    charts[id] = { key, plot };
    return plot;
  }

  function resizeCharts() {
    for (const [id, c] of Object.entries(charts)) {
      const w = $(id).clientWidth;
      if (w > 0) c.plot.setSize({ width: w, height: 170 });
    }
  }
  window.addEventListener('resize', resizeCharts);
  // Also when the layout changes without a window resize (a view shown, a phone turned).
  if (window.ResizeObserver) new ResizeObserver(resizeCharts).observe($('overview'));

  function append(arr, values) { for (const v of values) arr.push(v); }

  function trim() {
    const cut = series.t.length - HISTORY_SECONDS;
    if (cut <= 0) return;
    for (const k of ['t', 'open', 'accepted', 'refused', 'malformed', 'backendFailed', 'tls']) series[k].splice(0, cut);
    for (const r of Object.values(series.routes)) for (const k of Object.keys(r)) r[k].splice(0, cut);
  }

  async function pollOverview() {
    const r = await api('GET', '/overview?since=' + lastAt);
    if (r.status !== 200) return;
    const o = r.data;
    const s = o.series;
    if (s.t.length) {
      const n0 = series.t.length;
      append(series.t, s.t.map((x) => x / 1000));
      for (const k of ['open', 'accepted', 'refused', 'malformed', 'backendFailed', 'tls']) append(series[k], s[k]);
      for (const rs of s.routes) {
        if (!series.routes[rs.route]) {
          series.routes[rs.route] = { messagesUp: Array(n0).fill(0), messagesDown: Array(n0).fill(0), bytesUp: Array(n0).fill(0), bytesDown: Array(n0).fill(0) };
        }
        for (const k of ['messagesUp', 'messagesDown', 'bytesUp', 'bytesDown']) append(series.routes[rs.route][k], rs[k]);
      }
      for (const [label, rs] of Object.entries(series.routes)) {
        for (const k of Object.keys(rs)) while (rs[k].length < series.t.length) rs[k].push(0);
        if (!s.routes.some((x) => x.route === label)) continue;
      }
      lastAt = s.t[s.t.length - 1];
      trim();
    }
    setText('open-count', num(o.open, 0));
    const hs = o.handshakes;
    const refused = Object.entries(hs).filter(([k]) => k !== 'accepted').reduce((a, [, v]) => a + v, 0)
      + Object.values(o.refusedAtAccept).reduce((a, v) => a + v, 0);
    setText('accepted-rate', num(hs.accepted || 0));
    setText('refused-rate', num(refused));
    setText('tls-rate', num(o.tlsPerSecond));
    const ins = o.overhead.inspectionMicrosPerMessage;
    const us = (x) => (x === null || x === undefined ? '–' : num(x) + ' µs');
    setText('inspection-cost', us(ins.client_to_backend));
    setText('inspection-detail', 'client→backend; the other way ' + us(ins.backend_to_client) + '; sampled');
    setText('tls-cost', o.overhead.tlsHandshakeMillis === null ? '–' : num(o.overhead.tlsHandshakeMillis) + ' ms');
    setText('admission-cost', 'policy admission ' + us(o.overhead.admissionMicros));

    fillTable('routes-table', o.routes.map((rt) => el('tr', null,
      el('td', null, rt.route), el('td', { class: 'num' }, num(rt.open, 0)),
      el('td', { class: 'num' }, num(rt.messagesUp)), el('td', { class: 'num' }, num(rt.messagesDown)),
      el('td', { class: 'num' }, bytes(rt.bytesUp)), el('td', { class: 'num' }, bytes(rt.bytesDown)))), 'no routes');
    const outcomes = Object.entries(hs).concat(Object.entries(o.refusedAtAccept).map(([k, v]) => ['closed at accept: ' + k, v]));
    fillTable('outcomes-table', outcomes.map(([k, v]) => el('tr', null, el('td', null, k), el('td', { class: 'num' }, num(v)))), 'none');
    fillTable('backends-table', o.backends.map((b) => el('tr', null,
      el('td', null, b.group), el('td', { class: 'wrap' }, b.server),
      el('td', null, el('span', { class: 'badge ' + (b.up ? 'up' : 'down') }, b.up ? 'up' : 'down')),
      el('td', { class: 'num' }, num(b.connections, 0)))), 'no backends');

    chart('chart-open', ['open']).setData([series.t, series.open]);
    chart('chart-handshakes', ['accepted', 'refused', 'malformed', 'backend failed'])
      .setData([series.t, series.accepted, series.refused, series.malformed, series.backendFailed]);
    const labels = Object.keys(series.routes).sort();
    chart('chart-messages', labels.flatMap((l) => [l + ' in', l + ' out']))
      .setData([series.t].concat(labels.flatMap((l) => [series.routes[l].messagesUp, series.routes[l].messagesDown])));
    chart('chart-bytes', labels.flatMap((l) => [l + ' in', l + ' out']), 'bytes')
      .setData([series.t].concat(labels.flatMap((l) => [series.routes[l].bytesUp, series.routes[l].bytesDown])));
  }

  // ---- top sources ----

  async function pollSources() {
    const r = await api('GET', '/sources');
    if (r.status !== 200) return;
    const row = (s, count) => el('tr', null,
      el('td', null, s.source, s.banned ? ' ' : null, s.banned ? el('span', { class: 'badge banned' }, 'banned') : null),
      el('td', { class: 'num' }, num(count, 0)), el('td', { class: 'num' }, num(s.perSecond)),
      el('td', { class: 'num' }, num(s.open, 0)), el('td', { class: 'num' }, num(s.strikes, 0)),
      el('td', null, s.route || '–'),
      el('td', null, el('button', { type: 'button', class: 'secondary small', onclick: () => prefillBan(s.source) }, 'Ban…')));
    fillTable('busiest-table', r.data.busiest.map((s) => row(s, s.messages)), 'no traffic yet');
    fillTable('refused-table', r.data.refused.map((s) => row(s, s.violations)), 'nothing refused yet');
  }

  function prefillBan(source) {
    $('ban-address').value = source;
    $('ban-reason').value = 'from the console\u2019s top sources';
    setText('ban-error', '');
    setText('ban-done', '');
    location.hash = '#/bans';
    $('ban-duration').focus();
  }

  // ---- bans ----

  function origin(b) {
    if (b.origin) return 'fleet node ' + b.origin;
    if (b.by === 'strikes') return 'strikes';
    if (b.by === 'console') return 'console';
    if (b.by === 'admin API') return 'admin API / CLI';
    if (b.by === 'fleet') return 'fleet';
    return b.by || 'before this start';
  }

  async function pollBans() {
    const r = await api('GET', '/bans');
    if (r.status !== 200) return;
    const bans = r.data.bans;
    setText('ban-count', '(' + bans.length + ')');
    const k = r.data.kernel;
    setText('kernel', k ? 'Kernel firewall: ' + k.backend + (k.failing ? ' — last update FAILED (see the log)' : ' — in step') + ', ' + k.updates + ' updates'
      : 'Kernel firewall: none (bans are enforced by the proxy at accept)');
    fillTable('bans-table', bans.map((b) => el('tr', null,
      el('td', null, b.target), el('td', { class: 'wrap' }, b.reason), el('td', null, origin(b)),
      el('td', null, time(b.started)), el('td', null, time(b.until)),
      el('td', null, el('button', { type: 'button', class: 'danger', onclick: () => unban(b.target) }, 'Unban')))), 'no active bans');
  }

  async function unban(target) {
    setText('unban-error', '');
    const r = await api('DELETE', '/bans/' + encodeURIComponent(target));
    if (r.status !== 200) setText('unban-error', (r.data && r.data.error) || 'unban failed (' + r.status + ')');
    await pollBans();
  }

  $('ban-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    setText('ban-error', '');
    setText('ban-done', '');
    const body = { target: $('ban-address').value.trim(), for: $('ban-duration').value.trim() };
    const reason = $('ban-reason').value.trim();
    if (reason) body.reason = reason;
    const r = await api('POST', '/bans', body);
    if (r.status === 200 || r.status === 201) {
      setText('ban-done', (r.data.outcome === 'made' ? 'Banned ' : 'Extended ') + r.data.target + ' until ' + time(r.data.until));
      $('ban-address').value = '';
      $('ban-reason').value = '';
    } else {
      setText('ban-error', (r.data && r.data.error) || 'ban refused (' + r.status + ')');
    }
    await pollBans();
  });

  // ---- policies ----

  async function pollPolicies() {
    const r = await api('GET', '/policies');
    if (r.status !== 200) return;
    const p = r.data;
    const rl = p.reload;
    setText('reload-summary', rl.lastApplied
      ? 'Last applied ' + time(rl.lastApplied) + ' · last outcome: ' + rl.lastOutcome + ' · ' + rl.applied + ' applied, ' + rl.failed + ' refused since start'
      : 'No reloader in this process.');
    $('reload-errors').replaceChildren(...(rl.errors || []).map((e) => el('li', null, e)));
    $('policy-routes').replaceChildren(...p.routes.map((rt) => el('div', { class: 'card policy' },
      el('h3', null, rt.route, ' → policy ', el('code', null, rt.policy),
        rt.mode ? el('span', { class: 'badge ' + rt.mode }, rt.mode) : null,
        rt.source ? el('span', { class: 'muted small' }, rt.source) : null),
      el('ul', null, ...(rt.sentences || ['(policy not loaded)']).map((s) => el('li', null, s))))));
    fillTable('wouldhave-table', p.wouldHave.map((w) => el('tr', null,
      el('td', null, w.policy), el('td', null, w.limit), el('td', null, w.action), el('td', { class: 'num' }, num(w.count, 0)))),
    'nothing yet (or no policy in monitor mode)');
  }

  // ---- events ----

  let eventsAfter = 0;
  let paused = false;
  const events = [];

  async function pollEvents(background) {
    if (paused) { if (!background) renderEvents(); return; }
    const r = await api('GET', '/events?after=' + eventsAfter);
    if (r.status !== 200) return;
    eventsAfter = r.data.last;
    for (const e of r.data.events) events.push(e.line);
    if (events.length > MAX_EVENTS) events.splice(0, events.length - MAX_EVENTS);
    if (view === 'events') renderEvents();
  }

  function details(ev) {
    const v = ev.values || {};
    const parts = [];
    if (ev.action) parts.push(ev.action + (ev.enforced === false ? ' (would have)' : ''));
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) parts.push(k + ': ' + (typeof x === 'object' ? JSON.stringify(x) : x));
    return parts.join(' · ');
  }

  function renderEvents() {
    const src = $('filter-source').value.trim();
    const route = $('filter-route').value.trim();
    const kind = $('filter-kind').value;
    const shown = events.filter((e) => (!src || (e.client || '').includes(src))
      && (!route || (e.route || '').includes(route)) && (!kind || e.event === kind)).slice(-300).reverse();
    fillTable('events-table', shown.map((e) => el('tr', null,
      el('td', null, time(e.ts)), el('td', null, e.event), el('td', null, e.client || '–'), el('td', null, e.route || '–'),
      el('td', null, [e.policy, e.limit].filter(Boolean).join(' · ') || '–'), el('td', { class: 'wrap' }, details(e)))), 'no events');
  }

  for (const id of ['filter-source', 'filter-route', 'filter-kind']) $(id).addEventListener('input', renderEvents);
  $('event-filters').addEventListener('submit', (ev) => ev.preventDefault());
  $('pause').addEventListener('click', () => {
    paused = !paused;
    $('pause').textContent = paused ? 'Resume' : 'Pause';
  });

  // ---- start: signed in already (the cookie), or the sign-in form ----

  (async () => {
    const r = await api('GET', '/session');
    if (r.status === 200) signedIn(r.data);
    else signedOut('');
  })();
})();

import { cell } from './api.js';
// Everything on this page came from agents: values are inserted as text or SVG attributes only.
const SVG = 'http://www.w3.org/2000/svg';
const COLORS = ['#3b6fb6', '#d9822b', '#3a9a5b', '#b03a48', '#7d5ba6', '#8c6d31', '#2f8f9d', '#c2549d', '#6b6b6b'];
const hostId = new URLSearchParams(location.search).get('id') || '';
const summary = document.getElementById('host-summary');

function fillTable(id, rows, columns) {
  const tbody = document.querySelector('#' + id + ' tbody');
  tbody.replaceChildren();
  for (const row of rows) {
    const tr = document.createElement('tr');
    for (const column of columns) tr.append(cell(row[column], typeof row[column] === 'number' ? 'number' : ''));
    tbody.append(tr);
  }
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    const td = cell('none in this window');
    td.colSpan = columns.length;
    tr.append(td);
    tbody.append(tr);
  }
}

function details(doc) {
  const dl = document.getElementById('host-details');
  dl.replaceChildren();
  if (!doc) {
    dl.append(Object.assign(document.createElement('dd'), { textContent: 'No host document: this host only has events.' }));
    return;
  }
  const host = doc.host || {};
  const os = host.os || {};
  const entries = [
    ['id', host.id], ['hostname', host.hostname], ['addresses', (host.ip || []).join(', ')],
    ['OS', [os.name, os.version, os.kernel].filter(Boolean).join(' ')],
    ['agent', doc.agent && [doc.agent.type, doc.agent.version].filter(Boolean).join(' ')],
    ['last seen', doc.last_seen], ['last address', doc.last_address], ['health reported', doc.health_time],
  ];
  for (const [name, value] of Object.entries(doc.health || {})) entries.push(['health: ' + name, typeof value === 'object' ? JSON.stringify(value) : value]);
  for (const [name, value] of entries) {
    if (value == null || value === '') continue;
    dl.append(Object.assign(document.createElement('dt'), { textContent: name }),
      Object.assign(document.createElement('dd'), { textContent: String(value) }));
  }
}

// Stacked bars, one a bucket, one colour a dataset; each bar's title tells its counts.
function timeline(data) {
  const box = document.getElementById('host-timeline');
  const legend = document.getElementById('host-timeline-legend');
  box.replaceChildren();
  legend.replaceChildren();
  const buckets = data.buckets || [];
  const datasets = data.datasets || [];
  const width = 960, height = 160, barWidth = Math.max(1, width / Math.max(1, buckets.length));
  const highest = Math.max(1, ...buckets.map(b => b.total));
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height + 16}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'events per interval and dataset');
  buckets.forEach((bucket, i) => {
    let y = height;
    const group = document.createElementNS(SVG, 'g');
    const title = document.createElementNS(SVG, 'title');
    title.textContent = bucket.time + ': ' + bucket.total + ' events' +
      datasets.filter(d => bucket.datasets[d]).map(d => '\n' + d + ' ' + bucket.datasets[d]).join('');
    group.append(title);
    datasets.forEach((dataset, d) => {
      const count = bucket.datasets[dataset] || 0;
      if (!count) return;
      const h = count / highest * height;
      y -= h;
      const rect = document.createElementNS(SVG, 'rect');
      rect.setAttribute('x', String(i * barWidth));
      rect.setAttribute('y', String(y));
      rect.setAttribute('width', String(Math.max(1, barWidth - 1)));
      rect.setAttribute('height', String(h));
      rect.setAttribute('fill', COLORS[d % COLORS.length]);
      group.append(rect);
    });
    svg.append(group);
  });
  for (const [text, x, anchor] of [[buckets.length ? buckets[0].time : '', 0, 'start'],
    [buckets.length ? buckets[buckets.length - 1].time : '', width, 'end']]) {
    const label = document.createElementNS(SVG, 'text');
    label.setAttribute('x', String(x));
    label.setAttribute('y', String(height + 13));
    label.setAttribute('text-anchor', anchor);
    label.setAttribute('font-size', '11');
    label.textContent = text;
    svg.append(label);
  }
  box.append(svg);
  datasets.forEach((dataset, d) => {
    const li = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = 'swatch swatch-' + (d % COLORS.length);
    li.append(swatch, document.createTextNode(dataset));
    legend.append(li);
  });
}

async function load(event) {
  if (event) event.preventDefault();
  const link = document.getElementById('host-search-link');
  link.href = '/?host=' + encodeURIComponent(hostId);
  if (!hostId) {
    summary.textContent = 'No host given: open a host from the hosts page.';
    return;
  }
  const params = new URLSearchParams({ from: document.getElementById('host-range').value });
  summary.textContent = 'loading…';
  const response = await fetch('/api/v1/hosts/' + encodeURIComponent(hostId) + '?' + params, { credentials: 'same-origin' });
  const body = await response.json();
  if (!response.ok) {
    summary.textContent = (body.error && body.error.reason) || ('error ' + response.status);
    return;
  }
  const host = (body.host && body.host.host) || {};
  document.getElementById('host-title').textContent = 'Host ' + (host.name || body.id);
  document.title = 'Fleet Recorder — ' + (host.name || body.id);
  link.href = '/?host=' + encodeURIComponent(body.id) + '&from=' + encodeURIComponent(params.get('from'));
  summary.textContent = body.total + ' events from ' + body.window.from + ' to ' + body.window.to +
    ' (bars of ' + body.window.interval + ')';
  details(body.host);
  timeline(body.timeline);
  fillTable('top-executables', body.top_executables, ['executable', 'count']);
  fillTable('top-destinations', body.top_destinations, ['ip', 'port', 'count']);
  fillTable('top-users', body.top_users, ['user', 'count']);
  fillTable('rare-executables', body.rare_executables, ['executable', 'hosts', 'events_on_host', 'events_in_fleet']);
}

document.getElementById('host-window').addEventListener('submit', load);
load();

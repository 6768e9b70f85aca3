import { cell, csrf, text } from './api.js';
// IoC sweep page. Indicators, STIX names and every event value shown here may be hostile:
// they are only ever inserted as text, never as HTML.
const form = document.getElementById('ioc-form');
const input = document.getElementById('ioc-input');
const file = document.getElementById('ioc-file');
const summary = document.getElementById('ioc-summary');
const results = document.getElementById('ioc-results');

function processList(processes) {
  const list = document.createElement('ul');
  for (const process of processes) {
    const item = document.createElement('li');
    const a = document.createElement('a');
    a.href = '/process?' + new URLSearchParams({ id: process.entity_id });
    a.textContent = process.name || process.entity_id;
    item.append(a);
    if (process.command_line) item.append(text('code', process.command_line));
    list.append(item);
  }
  return list;
}

function indicatorText(indicator) {
  const span = document.createElement('span');
  span.append(text('strong', indicator.value));
  const source = [indicator.name, indicator.stix_id].filter(Boolean).join(' — ');
  if (source) span.append(text('div', source, 'muted'));
  return span;
}

function render(body) {
  results.replaceChildren();
  const section = document.getElementById('ioc-unsupported-section');
  const list = document.getElementById('ioc-unsupported');
  list.replaceChildren();
  section.hidden = body.unsupported_count === 0;
  document.getElementById('ioc-unsupported-summary').textContent =
    body.unsupported_count + ' item(s) not swept' + (body.unsupported_count > body.unsupported.length ? ' (first ' + body.unsupported.length + ' listed)' : '');
  for (const reason of body.unsupported) list.append(text('li', reason));

  const matches = body.hosts.reduce((n, h) => n + h.matches.length, 0);
  summary.textContent = body.indicators + ' indicators swept: ' + (body.hosts.length
    ? matches + ' matches on ' + body.hosts.length + ' host(s).' : 'no match in the fleet.');
  for (const entry of body.hosts) {
    const block = document.createElement('section');
    block.className = 'ioc-host';
    block.append(text('h2', (entry.host.name || '(unnamed host)') + '  ' + (entry.host.id || '')));
    const table = document.createElement('table');
    const head = document.createElement('tr');
    for (const title of ['type', 'indicator', 'field', 'count', 'first seen', 'last seen', 'processes']) head.append(text('th', title));
    const thead = document.createElement('thead');
    thead.append(head);
    const tbody = document.createElement('tbody');
    for (const match of entry.matches) {
      const tr = document.createElement('tr');
      tr.append(cell(match.indicator.type), cell(indicatorText(match.indicator)), cell(match.field), cell(match.count),
        cell(match.first_seen), cell(match.last_seen), cell(processList(match.processes)));
      tbody.append(tr);
    }
    table.append(thead, tbody);
    block.append(table);
    results.append(block);
  }
}

/** JSON when it starts like JSON; a list otherwise. */
async function contentType(blob) {
  const start = (await blob.slice(0, 256).text()).trimStart();
  return start.startsWith('{') ? 'application/json' : 'text/plain; charset=utf-8';
}

form.addEventListener('submit', async event => {
  event.preventDefault();
  const payload = file.files.length ? file.files[0] : new Blob([input.value]);
  if (payload.size === 0) {
    summary.textContent = 'Paste indicators or choose a file first.';
    return;
  }
  const params = new URLSearchParams();
  const from = document.getElementById('ioc-from').value.trim();
  const to = document.getElementById('ioc-to').value.trim();
  if (from) params.set('from', from);
  if (to) params.set('to', to);
  summary.textContent = 'sweeping…';
  results.replaceChildren();
  try {
    const response = await fetch('/api/v1/ioc/sweep?' + params, {
      method: 'POST', credentials: 'same-origin', body: payload,
      headers: { 'Content-Type': await contentType(payload), 'X-CSRF-Token': csrf },
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      summary.textContent = (body && body.error && body.error.reason) || ('error ' + response.status);
      return;
    }
    render(body);
  } catch (e) {
    summary.textContent = 'The server did not answer: ' + e.message;
  }
});

file.addEventListener('change', () => {
  if (file.files.length) input.value = '';
});

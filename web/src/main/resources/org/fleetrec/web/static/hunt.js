import { api, cell, link, text } from './api.js';
// Hunt page. Rule titles, host names, command lines and user names come from rules and endpoints
// and may be hostile: they are only ever inserted as text, never as HTML.
const form = document.getElementById('hunt-form');
const summary = document.getElementById('hunt-summary');
const translation = document.getElementById('hunt-translation');
const table = document.getElementById('hunt-results');
const tbody = table.querySelector('tbody');
const value = id => document.getElementById(id).value.trim();

/** The process a result is about, linked to its tree; a host-wide result has none. */
function processCell(alert) {
  const process = alert.process || {};
  const shown = process.command_line || process.name || process.executable || process.entity_id;
  if (!process.entity_id) return cell(shown ? shown : text('span', '(whole host)', 'muted'));
  const a = link('/process', { id: process.entity_id }, shown);
  a.className = 'process-link';
  return cell(a);
}

function row(alert) {
  const tr = document.createElement('tr');
  const seen = (alert.fleet && alert.fleet.alert) || {};
  const host = alert.host || {};
  const user = alert.user || {};
  const time = cell(alert['@timestamp']);
  if (seen.last_seen && seen.last_seen !== alert['@timestamp']) time.title = 'last seen ' + seen.last_seen;
  const hostCell = cell(host.name || host.id);
  if (host.id) hostCell.title = host.id;
  tr.append(time, cell(alert.rule && alert.rule.level, 'level'), cell(alert.rule && alert.rule.name), hostCell,
    processCell(alert), cell(user.name || user.id), cell(seen.count, 'number'));
  return tr;
}

function describeTranslation(t) {
  if (!t.huntable) return 'This rule cannot be run over stored events: ' + t.reason;
  if (t.exact) return 'The rule ran as an exact query.';
  return 'The rule ran as a wider query whose hits were re-checked with the rule'
    + (t.complete ? '' : '; some matches may be missed') + (t.notes.length ? ' (' + t.notes.join('; ') + ')' : '') + '.';
}

function render(body) {
  translation.textContent = describeTranslation(body.translation);
  let line = body.results.length + ' result(s) from ' + body.confirmed + ' matching event(s) ('
    + body.query_hits + ' found by the query, ' + body.scanned + ' read) between ' + body.from + ' and ' + body.to
    + (body.host ? ' on ' + body.host : '') + '.';
  if (body.truncated) line += ' Cut short: ' + body.truncated_description + '.';
  summary.textContent = line;
  summary.className = body.truncated ? 'warn' : '';
  tbody.replaceChildren(...body.results.map(row));
  table.hidden = body.results.length === 0;
}

form.addEventListener('submit', async event => {
  event.preventDefault();
  const request = { rule: document.getElementById('hunt-rule').value };
  for (const [field, id] of [['from', 'hunt-from'], ['to', 'hunt-to'], ['host', 'hunt-host']]) {
    if (value(id)) request[field] = value(id);
  }
  summary.textContent = 'hunting…';
  summary.className = '';
  translation.textContent = '';
  table.hidden = true;
  tbody.replaceChildren();
  try {
    render(await api('POST', '/api/v1/rules/test', request));
  } catch (e) {
    summary.textContent = e.message;
    summary.className = 'error';
  }
});

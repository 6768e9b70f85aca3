import { api, button, cell, guarded as guardedIn } from './api.js';

const status = document.getElementById('rules-status');
const summary = document.getElementById('rules-summary');
let admin = false;
const guarded = work => guardedIn(status, work);

function filters() {
  const params = new URLSearchParams();
  for (const [name, id] of [['state', 'rules-state'], ['origin', 'rules-origin'], ['level', 'rules-level'], ['text', 'rules-text']]) {
    const value = document.getElementById(id).value.trim();
    if (value) params.set(name, value);
  }
  return params;
}

async function showYaml(key) {
  const rule = await api('GET', '/api/v1/rules/' + encodeURIComponent(key));
  document.getElementById('rule-yaml-title').textContent = (rule.title || rule.source || rule.key) + ' (' + rule.key + ')';
  document.getElementById('rule-yaml').textContent = rule.yaml == null ? '(no text kept)' : rule.yaml;
  document.getElementById('rule-yaml-section').hidden = false;
}

function change(key, verb) {
  return () => guarded(async () => {
    const changed = await api('POST', '/api/v1/rules/' + encodeURIComponent(key) + '/' + verb);
    status.textContent = changed.key + ' ' + changed.state;
    await load();
  });
}

function actions(rule) {
  const td = cell('');
  td.className = 'actions';
  td.append(button('YAML', () => guarded(() => showYaml(rule.key))));
  if (admin && rule.state !== 'retired') {
    if (rule.state === 'enabled') td.append(button('Disable', change(rule.key, 'disable')));
    else td.append(button('Enable', change(rule.key, 'enable')));
    if (rule.origin === 'api') td.append(button('Retire', change(rule.key, 'retire')));
  }
  return td;
}

async function load() {
  const params = filters();
  const { count, rules } = await api('GET', '/api/v1/rules' + (params.toString() ? '?' + params : ''));
  const tbody = document.querySelector('#rules tbody');
  tbody.replaceChildren();
  for (const r of rules) {
    const tr = document.createElement('tr');
    tr.dataset.key = r.key;
    tr.className = 'rule-' + r.state + (r.loaded ? '' : ' rule-refused');
    tr.append(cell(r.state), cell(r.origin), cell(r.level || ''), cell(r.title || r.source), cell(r.key),
      cell(r.loaded ? '' : r.refusal, 'warn'), actions(r));
    tbody.append(tr);
  }
  const refused = rules.filter((r) => !r.loaded).length;
  summary.textContent = count + ' rules' + (refused ? ', ' + refused + ' not loaded' : '');
}

document.getElementById('rules-filter').addEventListener('submit', (event) => {
  event.preventDefault();
  guarded(load);
});

document.getElementById('rule-add').addEventListener('submit', (event) => {
  event.preventDefault();
  guarded(async () => {
    const added = await api('POST', '/api/v1/rules', { yaml: document.getElementById('rule-add-yaml').value });
    document.getElementById('rule-add-yaml').value = '';
    await load();
    status.textContent = 'Added ' + added.key + ' (' + added.title + ')';
  });
});

guarded(async () => {
  const me = await api('GET', '/api/v1/whoami');
  admin = me.role === 'admin';
  document.getElementById('rule-add-section').hidden = !admin;
  await load();
});

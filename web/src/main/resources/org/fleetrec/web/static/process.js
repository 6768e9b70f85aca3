import { cell } from './api.js';
// The process view. Every value shown came from an endpoint and may be hostile (command lines,
// file names): it is only ever inserted as text (textContent) or drawn by cytoscape as canvas
// text, never as HTML. Links are built with URLSearchParams / encodeURIComponent.
const $ = (id) => document.getElementById(id);

const processes = new Map(); // entity id (or summary id) -> node object from the API
let cy = null;
let focusId = null;
let eventsCursor = null;
let eventsEntity = null;
let selectedId = null;

function text(value) {
  return value == null ? '' : String(value);
}

async function getJson(url) {
  const response = await fetch(url, { credentials: 'same-origin' });
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    body = null;
  }
  if (!response.ok) {
    const reason = body && body.error && body.error.reason;
    const error = new Error(reason || ('error ' + response.status));
    error.status = response.status;
    throw error;
  }
  return body;
}

function processUrl(id, extra) {
  return '/api/v1/processes/' + encodeURIComponent(id) + (extra ? '?' + new URLSearchParams(extra) : '');
}

function treeUrl(id, ancestors, descendants) {
  return '/api/v1/processes/' + encodeURIComponent(id) + '/tree?' + new URLSearchParams({ ancestors, descendants });
}

// ---- tree -------------------------------------------------------------------------------

function label(node) {
  if (node.summary) {
    const names = (node.top_names || []).slice(0, 3).join(', ');
    return '+' + node.more + ' more' + (names ? ' (' + names + ')' : '');
  }
  const name = node.name || node.executable || node.entity_id;
  return node.pid != null ? name + ' [' + node.pid + ']' : name;
}

function nodeId(node) {
  return node.summary ? node.id : node.entity_id;
}

function classes(node) {
  const list = [];
  if (node.summary) list.push('summary');
  if (node.inferred) list.push('inferred');
  if (node.has_more_children) list.push('has-more');
  if (!node.summary && nodeId(node) === focusId) list.push('focus');
  return list.join(' ');
}

function graphStyle() {
  return [
    { selector: 'node', style: {
      'label': 'data(label)', 'font-size': 10, 'text-valign': 'bottom', 'text-margin-y': 3,
      'text-wrap': 'ellipsis', 'text-max-width': 160, 'width': 16, 'height': 16,
      'background-color': '#4a78c2', 'color': '#1d2330' } },
    { selector: 'node.has-more', style: { 'border-width': 3, 'border-color': '#2b8a3e' } },
    { selector: 'node.inferred', style: {
      'background-color': '#ffffff', 'border-width': 2, 'border-style': 'dashed', 'border-color': '#555555' } },
    { selector: 'node.summary', style: {
      'shape': 'round-rectangle', 'width': 28, 'height': 14, 'background-color': '#e9ecef',
      'border-width': 1, 'border-color': '#888888', 'font-style': 'italic' } },
    { selector: 'node.focus', style: {
      'background-color': '#d9480f', 'border-width': 3, 'border-color': '#1d2330', 'width': 22, 'height': 22,
      'font-weight': 'bold' } },
    { selector: 'node:selected', style: { 'overlay-color': '#f59f00', 'overlay-opacity': 0.35, 'overlay-padding': 4 } },
    { selector: 'edge', style: {
      'width': 1, 'line-color': '#9aa3b5', 'curve-style': 'taxi', 'taxi-direction': 'downward',
      'target-arrow-shape': 'triangle', 'target-arrow-color': '#9aa3b5', 'arrow-scale': 0.6 } },
  ];
}

function ensureGraph() {
  if (cy) return cy;
  cy = window.cytoscape({ container: $('tree'), style: graphStyle(), minZoom: 0.05 });
  cy.on('tap', 'node', (event) => showDetails(event.target.id()));
  return cy;
}

/** Adds the nodes and edges of a tree response not drawn yet; refreshes the ones already drawn. */
function merge(tree) {
  const graph = ensureGraph();
  const added = [];
  for (const node of tree.nodes) {
    const id = nodeId(node);
    const known = processes.get(id);
    // A node drawn as "expand me" that is now expanded keeps the newer has_more_children.
    processes.set(id, known && !node.summary ? Object.assign({}, known, node) : node);
    const existing = graph.getElementById(id);
    if (existing.empty()) {
      added.push({ group: 'nodes', data: { id, label: label(node) }, classes: classes(processes.get(id)) });
    } else {
      existing.data('label', label(processes.get(id)));
      existing.classes(classes(processes.get(id)));
    }
  }
  for (const edge of tree.edges) {
    const id = 'edge:' + edge.parent + '>' + edge.child;
    if (graph.getElementById(id).empty()) {
      added.push({ group: 'edges', data: { id, source: edge.parent, target: edge.child } });
    }
  }
  graph.add(added);
}

function layout(rootId) {
  const graph = ensureGraph();
  const roots = graph.nodes().filter((n) => n.indegree(false) === 0);
  graph.layout({
    name: 'breadthfirst', directed: true, spacingFactor: 1.1, animate: false,
    roots: roots.nonempty() ? roots : graph.getElementById(rootId),
  }).run();
  graph.fit(undefined, 30);
  const focus = graph.getElementById(focusId);
  if (graph.zoom() > 1.5) {
    graph.zoom(1.5);
    graph.center();
  } else if (graph.zoom() < 0.6 && focus.nonempty()) {
    // A wide tree fitted whole has unreadable labels: stay readable around the focus instead.
    graph.zoom(0.6);
    graph.center(focus);
  }
  $('tree').dataset.nodes = String(graph.nodes().length);
  $('tree').dataset.focus = focusId || '';
}

async function loadTree(id, ancestors, descendants) {
  focusId = id;
  processes.clear();
  // Shown before cytoscape measures its container: a hidden one has no size.
  $('tree-layout').hidden = false;
  if (cy) cy.elements().remove();
  clearDetails();
  $('tree-status').textContent = 'loading tree…';
  try {
    const tree = await getJson(treeUrl(id, ancestors, descendants));
    merge(tree);
    layout(tree.root);
    const count = tree.nodes.filter((n) => !n.summary).length;
    $('tree-status').textContent = count + ' processes' + (tree.truncated ? ' — tree truncated by a limit' : '');
    showDetails(tree.focus);
  } catch (error) {
    $('tree-status').textContent = error.status === 404 ? 'No event carries this process id.' : error.message;
  }
}

async function expand(id) {
  $('tree-status').textContent = 'expanding…';
  try {
    const levels = $('tree-descendants').value || '3';
    const tree = await getJson(treeUrl(id, 0, levels));
    merge(tree);
    layout(tree.root);
    $('tree-status').textContent = processesCount() + ' processes' + (tree.truncated ? ' — tree truncated by a limit' : '');
    showDetails(id);
  } catch (error) {
    $('tree-status').textContent = error.message;
  }
}

function processesCount() {
  let count = 0;
  for (const node of processes.values()) if (!node.summary) count++;
  return count;
}

// ---- details panel ----------------------------------------------------------------------

function clearDetails() {
  selectedId = null;
  $('details-empty').hidden = false;
  $('details-process').hidden = true;
  $('details-summary').hidden = true;
}

function counts(node) {
  const c = node.counts || {};
  return 'network ' + text(c.network ?? 0) + ' · file ' + text(c.file ?? 0) + ' · library ' + text(c.library ?? 0);
}

function showDetails(id) {
  const node = processes.get(id);
  if (!node) return;
  selectedId = id;
  if (cy) {
    cy.elements().unselect();
    cy.getElementById(id).select();
  }
  $('details-empty').hidden = true;
  if (node.summary) {
    $('details-process').hidden = true;
    $('details-summary').hidden = false;
    const parent = processes.get(node.parent);
    $('details-summary-text').textContent = node.more + ' more children of ' + (parent ? label(parent) : node.parent)
      + ' are not drawn. Most common names: ' + (node.top_names || []).join(', ');
    return;
  }
  $('details-summary').hidden = true;
  $('details-process').hidden = false;
  $('details-title').textContent = label(node);
  $('details-inferred').hidden = !node.inferred;
  $('details-command-line').textContent = text(node.command_line);
  $('details-executable').textContent = text(node.executable);
  $('details-pid').textContent = text(node.pid);
  const user = node.user || {};
  $('details-user').textContent = [user.name, user.id != null ? '(' + user.id + ')' : null].filter(Boolean).join(' ');
  $('details-audit-user').textContent = text(user.audit && user.audit.name);
  const host = node.host || {};
  $('details-host').textContent = [host.name, host.id ? '(' + host.id + ')' : null].filter(Boolean).join(' ');
  $('details-start').textContent = text(node.start);
  $('details-end').textContent = node.end ? node.end : 'not recorded (running or exit not seen)';
  $('details-exit-code').textContent = text(node.exit_code);
  $('details-counts').textContent = counts(node);
  $('details-entity-id').textContent = text(node.entity_id);
  $('details-expand').hidden = !node.has_more_children;
  $('details-refocus').href = '/process?' + new URLSearchParams({ id: node.entity_id });
}

// ---- events of one process --------------------------------------------------------------

function detail(event) {
  if (event.destination && event.destination.ip) {
    return (event.source && event.source.ip ? event.source.ip + ':' + text(event.source.port) + ' → ' : '')
      + event.destination.ip + ':' + text(event.destination.port);
  }
  if (event.file && event.file.path) return event.file.path + (event.file.target_path ? ' → ' + event.file.target_path : '');
  if (event.dll && event.dll.path) return event.dll.path;
  if (event.process && event.event && event.event.dataset === 'process') {
    if (event.process.exit_code != null) return 'exit code ' + event.process.exit_code;
    return text(event.process.command_line);
  }
  return text(event.message);
}

async function loadEvents(id, more) {
  const section = $('events-section');
  const tbody = $('events').querySelector('tbody');
  if (!more) {
    eventsEntity = id;
    eventsCursor = null;
    tbody.replaceChildren();
  }
  section.hidden = false;
  const node = processes.get(id);
  $('events-title').textContent = 'Events of ' + (node ? label(node) : id);
  $('events-summary').textContent = 'loading…';
  const params = { size: 100 };
  if (more && eventsCursor) params.search_after = eventsCursor;
  try {
    const body = await getJson(processUrl(id, params));
    for (const event of body.events) {
      const tr = document.createElement('tr');
      tr.append(cell(event['@timestamp']), cell(event.event && event.event.dataset),
        cell(event.event && event.event.action), cell(detail(event)));
      tbody.append(tr);
    }
    eventsCursor = body.next;
    const perDataset = Object.entries(body.counts || {}).map(([dataset, n]) => dataset + ' ' + n).join(' · ');
    $('events-summary').textContent = body.total + ' events' + (perDataset ? ' — ' + perDataset : '');
    $('events-more').hidden = !body.next;
  } catch (error) {
    $('events-summary').textContent = error.status === 404 ? 'No events of this process are stored.' : error.message;
    $('events-more').hidden = true;
  }
}

// ---- root processes of a host -----------------------------------------------------------

const REASONS = {
  'parent-outside-window': 'parent started outside the window',
  'parent-exec-not-stored': 'parent exec not stored',
  'no-parent-recorded': 'no parent recorded',
};

async function loadRoots(host, from, to) {
  const table = $('roots');
  const tbody = table.querySelector('tbody');
  tbody.replaceChildren();
  $('roots-summary').textContent = 'loading…';
  const params = { host };
  if (from) params.from = from;
  if (to) params.to = to;
  try {
    const body = await getJson('/api/v1/processes?' + new URLSearchParams(params));
    for (const root of body.roots) {
      const tr = document.createElement('tr');
      const name = document.createElement('td');
      const link = document.createElement('a');
      link.href = '/process?' + new URLSearchParams({ id: root.entity_id });
      link.textContent = text(root.name || root.executable || root.entity_id);
      name.append(link);
      tr.append(cell(root.start), cell(root.pid), name, cell(root.user && root.user.name),
        cell(REASONS[root.root_reason] || root.root_reason), cell(root.command_line));
      tbody.append(tr);
    }
    table.hidden = body.roots.length === 0;
    $('roots-summary').textContent = body.total + ' root processes on ' + body.host + ' from ' + body.from + ' to ' + body.to
      + (body.roots.length < body.total ? ' (showing ' + body.roots.length + ')' : '')
      + (body.truncated ? ' — too many parents in this window, the list may be incomplete' : '');
  } catch (error) {
    table.hidden = true;
    $('roots-summary').textContent = error.message;
  }
}

// ---- wiring -----------------------------------------------------------------------------

$('tree-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const id = $('tree-id').value.trim();
  if (!id) return;
  const params = { id, ancestors: $('tree-ancestors').value, descendants: $('tree-descendants').value };
  history.replaceState(null, '', '/process?' + new URLSearchParams(params));
  loadTree(id, params.ancestors, params.descendants);
});

$('roots-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const host = $('roots-host').value.trim();
  if (!host) return;
  const params = { host };
  if ($('roots-from').value.trim()) params.from = $('roots-from').value.trim();
  if ($('roots-to').value.trim()) params.to = $('roots-to').value.trim();
  history.replaceState(null, '', '/process?' + new URLSearchParams(params));
  loadRoots(host, params.from, params.to);
});

$('details-events').addEventListener('click', (event) => {
  event.preventDefault();
  if (selectedId) loadEvents(selectedId, false);
});
$('details-expand').addEventListener('click', (event) => {
  event.preventDefault();
  if (selectedId) expand(selectedId);
});
$('events-more').addEventListener('click', () => {
  if (eventsEntity) loadEvents(eventsEntity, true);
});

const query = new URLSearchParams(location.search);
if (query.get('id')) {
  $('tree-id').value = query.get('id');
  if (query.get('ancestors')) $('tree-ancestors').value = query.get('ancestors');
  if (query.get('descendants')) $('tree-descendants').value = query.get('descendants');
  loadTree(query.get('id'), $('tree-ancestors').value, $('tree-descendants').value);
} else if (query.get('host')) {
  $('roots-host').value = query.get('host');
  $('roots-from').value = query.get('from') || '';
  $('roots-to').value = query.get('to') || '';
  loadRoots(query.get('host'), query.get('from'), query.get('to'));
}

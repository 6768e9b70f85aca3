import { cell, link, text } from './api.js';
// Network correlation page. Every value shown here came from an endpoint and may be hostile
// (command lines, process and host names): it is only ever inserted as text, never as HTML.
const SELECTORS = ['ip', 'cidr', 'port', 'domain', 'entityId'];
const form = document.getElementById('correlate-form');
const kind = document.getElementById('selector-kind');
const value = document.getElementById('selector-value');
const from = document.getElementById('from');
const to = document.getElementById('to');
const summary = document.getElementById('correlate-summary');
let graph = null;

function processLink(process) {
  if (!process || !process.entity_id) return text('span', process && process.name);
  return link('/process', { id: process.entity_id }, process.name || process.entity_id);
}

function addressLink(ip, port) {
  if (!ip) return text('span', port == null ? '' : ':' + port);
  const span = document.createElement('span');
  span.append(link('/network', { ip }, ip));
  if (port != null) span.append(document.createTextNode(':' + port));
  return span;
}

function hostLabel(host) {
  return host ? (host.name || host.id || '') : '';
}

function renderDns(dns) {
  const section = document.getElementById('dns-section');
  const tbody = document.querySelector('#dns-lookups tbody');
  tbody.replaceChildren();
  section.hidden = !dns;
  if (!dns) return;
  document.getElementById('dns-resolved').textContent = dns.resolved_ips.length
    ? 'Resolved to ' + dns.resolved_ips.join(', ') + (dns.truncated ? ' (more not shown)' : '')
    : 'No DNS answer for this name was recorded in the time range.';
  for (const lookup of dns.lookups) {
    const tr = document.createElement('tr');
    tr.append(cell(lookup.last_seen), cell(hostLabel(lookup.host)), cell(processLink(lookup.process)),
      cell(lookup.question), cell(lookup.count), cell(lookup.process && lookup.process.command_line));
    tbody.append(tr);
  }
}

function renderConnections(body) {
  const tbody = document.querySelector('#connections tbody');
  tbody.replaceChildren();
  document.getElementById('connections-note').textContent = body.truncated
    ? 'Only the first ' + body.connections.length + ' groups are shown: narrow the time range or the selector.' : '';
  for (const row of body.connections) {
    const tr = document.createElement('tr');
    tr.append(cell(row.first_seen), cell(row.last_seen), cell(row.count), cell(hostLabel(row.host)), cell(row.direction),
      cell(processLink(row.process)), cell(addressLink(row.source && row.source.ip)),
      cell(addressLink(row.destination && row.destination.ip, row.destination && row.destination.port)),
      cell(row.transport), cell(row.process && row.process.command_line));
    tbody.append(tr);
  }
}

function renderGraph(edges) {
  const tbody = document.querySelector('#host-edges tbody');
  tbody.replaceChildren();
  const nodes = new Map();
  const elements = [];
  edges.forEach((edge, index) => {
    for (const host of [edge.from_host, edge.to_host]) {
      if (!nodes.has(host.id)) nodes.set(host.id, { data: { id: 'host:' + host.id, label: hostLabel(host) } });
    }
    elements.push({ data: { id: 'edge:' + index, source: 'host:' + edge.from_host.id, target: 'host:' + edge.to_host.id,
      label: (edge.port == null ? '' : ':' + edge.port) + ' ×' + edge.count } });
    const tr = document.createElement('tr');
    tr.append(cell(hostLabel(edge.from_host)), cell(addressLink(edge.from_ip)), cell(hostLabel(edge.to_host)),
      cell(addressLink(edge.to_ip)), cell(edge.port), cell(edge.count));
    tbody.append(tr);
  });
  const container = document.getElementById('host-graph');
  if (graph) { graph.destroy(); graph = null; }
  container.replaceChildren();
  container.classList.toggle('empty', edges.length === 0);
  if (edges.length === 0) {
    container.append(text('p', 'No connection between two fleet hosts in this range.', 'empty'));
    return;
  }
  if (typeof window.cytoscape !== 'function') {
    container.append(text('p', 'The graph library did not load; the table below lists the same edges.', 'empty'));
    return;
  }
  // Labels are drawn on a canvas as text: host names cannot become markup there.
  graph = window.cytoscape({
    container,
    elements: [...nodes.values(), ...elements],
    layout: { name: 'breadthfirst', directed: true, padding: 20 },
    style: [
      { selector: 'node', style: { label: 'data(label)', 'background-color': '#3b6ea5', color: '#1d2330', 'font-size': 12,
        'text-valign': 'bottom', 'text-margin-y': 4 } },
      { selector: 'edge', style: { label: 'data(label)', width: 2, 'line-color': '#8899aa', 'target-arrow-color': '#8899aa',
        'target-arrow-shape': 'triangle', 'curve-style': 'bezier', 'font-size': 10, 'text-background-color': '#fff',
        'text-background-opacity': 0.8 } },
    ],
  });
}

function chainEnd(end) {
  const span = document.createElement('span');
  span.className = 'chain-end';
  span.append(text('strong', hostLabel(end.host)), document.createTextNode(' '), processLink(end.process),
    document.createTextNode(' '), addressLink(end.ip, end.port));
  if (end.process && end.process.command_line) span.append(text('code', end.process.command_line));
  return span;
}

function renderChains(body) {
  const list = document.getElementById('chains');
  list.replaceChildren();
  document.getElementById('chains-note').textContent = body.chains.length === 0
    ? 'No connection of this selection was seen at both ends.'
    : (body.chains_truncated ? 'Some flows were left out: narrow the time range or the selector.' : '');
  for (const chain of body.chains) {
    const li = document.createElement('li');
    li.className = 'chain';
    const head = document.createElement('div');
    head.append(text('span', chain.first_seen, 'time'), document.createTextNode(' '), chainEnd(chain.client),
      text('span', ' → ', 'arrow'), chainEnd(chain.server),
      text('span', ' ×' + chain.count + (chain.loopback ? ' (same host)' : ''), 'count'));
    li.append(head);
    if (chain.server_children.length) {
      const children = document.createElement('ul');
      for (const child of chain.server_children) {
        const item = document.createElement('li');
        item.append(text('span', '↳ started ', 'arrow'), processLink(child), text('span', ' ' + (child.first_seen || ''), 'time'));
        if (child.command_line) item.append(text('code', child.command_line));
        children.append(item);
      }
      li.append(children);
    }
    li.append(text('div', 'community id ' + chain.community_id, 'muted'));
    list.append(li);
  }
}

function clear() {
  renderDns(null);
  renderConnections({ connections: [], truncated: false });
  renderGraph([]);
  renderChains({ chains: [], chains_truncated: false });
}

async function run(pushHistory) {
  const params = new URLSearchParams();
  params.set(kind.value, value.value.trim());
  if (from.value.trim()) params.set('from', from.value.trim());
  if (to.value.trim()) params.set('to', to.value.trim());
  if (pushHistory) history.pushState(null, '', '/network?' + params);
  summary.textContent = 'correlating…';
  let response;
  let body;
  try {
    response = await fetch('/api/v1/network/correlate?' + params, { credentials: 'same-origin' });
    body = await response.json();
  } catch (e) {
    clear();
    summary.textContent = 'The server did not answer: ' + e.message;
    return;
  }
  if (!response.ok) {
    clear();
    summary.textContent = (body.error && body.error.reason) || ('error ' + response.status);
    return;
  }
  summary.textContent = body.connections.length + ' connection groups, ' + body.hosts_graph.length
    + ' host-to-host edges, ' + body.chains.length + ' chains from ' + body.from + ' to ' + body.to + '.';
  renderDns(body.dns || null);
  renderConnections(body);
  renderGraph(body.hosts_graph);
  renderChains(body);
}

function fromLocation() {
  const params = new URLSearchParams(location.search);
  from.value = params.get('from') || '';
  to.value = params.get('to') || '';
  for (const name of SELECTORS) {
    if (params.get(name)) {
      kind.value = name;
      value.value = params.get(name);
      return true;
    }
  }
  return false;
}

form.addEventListener('submit', event => {
  event.preventDefault();
  run(true);
});
window.addEventListener('popstate', () => { if (fromLocation()) run(false); else clear(); });
if (fromLocation()) run(false);

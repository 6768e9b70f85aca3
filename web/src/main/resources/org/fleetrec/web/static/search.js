// Every value shown here came from an endpoint and may be hostile: it is only ever
// inserted as text (textContent), never as HTML.
const form = document.getElementById('search');
const tbody = document.querySelector('#results tbody');
const summary = document.getElementById('summary');

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text == null ? '' : String(text);
  return td;
}

function detail(hit) {
  const p = hit.process || {};
  if (p.command_line) return p.command_line;
  if (hit.file && hit.file.path) return hit.file.path;
  if (hit.destination && hit.destination.ip) return hit.destination.ip + ':' + (hit.destination.port ?? '');
  return hit.message || '';
}

async function run(event) {
  if (event) event.preventDefault();
  const params = new URLSearchParams();
  const q = document.getElementById('q').value.trim();
  if (q) params.set('q', q);
  const range = document.getElementById('range').value;
  if (range) params.set('from', range);
  params.set('size', '200');
  summary.textContent = 'searching…';
  const response = await fetch('/api/v1/search?' + params, { credentials: 'same-origin' });
  const body = await response.json();
  tbody.replaceChildren();
  if (!response.ok) {
    summary.textContent = (body.error && body.error.reason) || ('error ' + response.status);
    return;
  }
  summary.textContent = body.total + ' events';
  for (const hit of body.hits) {
    const tr = document.createElement('tr');
    const p = hit.process || {};
    tr.append(cell(hit['@timestamp']), cell(hit.host && hit.host.name), cell(hit.event && hit.event.dataset),
      cell(hit.event && hit.event.action), cell(hit.user && hit.user.name), cell(p.pid), cell(detail(hit)));
    tbody.append(tr);
  }
}

form.addEventListener('submit', run);
run();

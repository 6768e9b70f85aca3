import { api, button as plainButton, cell, guarded as guardedIn } from './api.js';

const status = document.getElementById('admin-status');
const secret = document.getElementById('new-secret');
const guarded = work => guardedIn(status, work);
/** A button in a table cell of its own. */
const button = (label, action) => cell(plainButton(label, action));

async function loadUsers() {
  const { users } = await api('GET', '/api/v1/users');
  const tbody = document.querySelector('#users tbody');
  tbody.replaceChildren();
  for (const u of users) {
    const tr = document.createElement('tr');
    tr.append(cell(u.username), cell(u.role), cell(u.created), cell(u.disabled ? 'disabled' : 'active'),
      u.disabled ? cell('') : button('Disable', () => guarded(async () => {
        await api('DELETE', '/api/v1/users/' + encodeURIComponent(u.username));
        await loadUsers();
      })));
    tbody.append(tr);
  }
}

async function loadTokens() {
  const { tokens } = await api('GET', '/api/v1/tokens');
  const tbody = document.querySelector('#tokens tbody');
  tbody.replaceChildren();
  for (const t of tokens) {
    const tr = document.createElement('tr');
    tr.append(cell(t.name), cell(t.role), cell(t.owner), cell(t.created), cell(t.revoked ? 'revoked ' + t.revoked : 'active'),
      t.revoked ? cell('') : button('Revoke', () => guarded(async () => {
        await api('DELETE', '/api/v1/tokens/' + encodeURIComponent(t.id));
        await loadTokens();
      })));
    tbody.append(tr);
  }
}

document.getElementById('user-form').addEventListener('submit', (event) => {
  event.preventDefault();
  guarded(async () => {
    const created = await api('POST', '/api/v1/users', {
      username: document.getElementById('user-name').value.trim(),
      role: document.getElementById('user-role').value,
    });
    secret.textContent = 'Password for ' + created.username + ' (shown once): ' + created.password;
    await loadUsers();
  });
});

document.getElementById('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  guarded(async () => {
    const created = await api('POST', '/api/v1/tokens', {
      name: document.getElementById('token-name').value.trim(),
      role: document.getElementById('token-role').value,
    });
    secret.textContent = 'Token ' + created.name + ' (shown once): ' + created.token;
    await loadTokens();
  });
});

guarded(async () => {
  await loadUsers();
  await loadTokens();
});

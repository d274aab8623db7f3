'use strict';
document.getElementById('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const error = document.getElementById('login-error');
  error.textContent = '';
  const r = await api('POST', '/login', { user: document.getElementById('login-user').value, password: document.getElementById('login-password').value });
  if (r.ok) location.assign('/');
  else error.textContent = r.json.error || `login failed (${r.status})`;
});

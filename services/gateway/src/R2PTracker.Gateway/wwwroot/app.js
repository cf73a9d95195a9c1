// R2P Tracker dashboard: progressive enhancement only. Pages are rendered on the server;
// this script submits staff forms with If-Match, subscribes, and applies live updates.
(function () {
  'use strict';
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content;
  const page = document.body.dataset.page;
  const pledgeId = document.body.dataset.pledgeId;

  function text(el, message) { if (el) el.textContent = message; }

  // The page's messages in its language, from data-text-* on <body> (English if one is missing).
  const words = document.body.dataset;
  function say(name, fallback) { return words['text' + name] || fallback; }

  function evidenceFrom(form) {
    const title = form.elements.evidenceTitle?.value.trim();
    const url = form.elements.evidenceUrl?.value.trim();
    return title ? [{ title: title, url: url || null }] : [];
  }

  function bodyFor(form) {
    const f = form.elements;
    const occurredOn = f.occurredOn?.value.trim() || null;
    switch (form.dataset.endpoint) {
      case 'status': return { status: f.status.value, reason: f.reason.value.trim(), evidence: evidenceFrom(form), occurredOn, reasonCode: f.reasonCode.value || null };
      case 'verifiability': return { verifiability: f.verifiability.value, reason: f.reason.value.trim(), occurredOn };
      case 'progress': return { progress: Number(f.progress.value), reason: f.reason.value.trim(), evidence: evidenceFrom(form), occurredOn };
      case 'translations': return { target: f.target.value, language: f.language.value, text: f.text.value.trim(), translator: f.translator.value.trim(), kind: f.kind.value };
      case 'reply-requests': return { to: f.to.value.trim(), by: f.by.value.trim(), note: f.note.value.trim() || null, occurredOn };
      case 'replies': {
        const source = f.sourceTitle.value.trim();
        return { requestId: f.requestId.value, onBehalfOf: f.onBehalfOf.value.trim(), text: f.text.value.trim(),
          repliedOn: f.repliedOn.value.trim() || null, source: source ? { title: source, publisher: f.onBehalfOf.value.trim() } : null };
      }
      default: return { title: f.title.value.trim(), description: f.description.value.trim(), evidence: evidenceFrom(form), occurredOn };
    }
  }

  async function explain(response) {
    if (response.status === 412) {
      return say('Conflict', 'This pledge was changed by someone else since you opened it. Reload the page to see the latest version, then make your change again. Nothing was saved.');
    }
    let problem = null;
    try { problem = await response.json(); } catch { /* not JSON */ }
    if (response.status === 400 && problem?.errors) {
      // The service's messages are English; the field is named in the page's language before them.
      const named = field => say('InvalidField', '{0}:').replace('{0}', field);
      return say('NotSaved', 'Not saved:') + ' ' + Object.entries(problem.errors).map(([field, messages]) => `${named(field)} ${messages.join(' ')}`).join('; ');
    }
    if (response.status === 401 || response.status === 403) return say('Expired', 'Not saved: your sign-in has expired. Sign in again.');
    return say('NotSaved', 'Not saved:') + ' ' + (problem?.title || response.statusText || say('Error', 'error')) + (problem?.detail ? ' ' + problem.detail : '');
  }

  // A staff write from a form: POSTed with the sign-in's CSRF token (and If-Match where the form has the
  // version it was made at); the page reloads once it is saved, or says why it was not.
  function onStaffWrite(form, request) {
    form.addEventListener('submit', async event => {
      event.preventDefault();
      const result = document.getElementById('write-result');
      text(result, say('Saving', 'Saving…'));
      const { url, etag, body } = request(form);
      const headers = { 'Content-Type': 'application/json', 'X-CSRF-TOKEN': csrf || '' };
      if (etag) headers['If-Match'] = `"${etag}"`;
      const response = await fetch(url, { method: 'POST', credentials: 'same-origin', headers, body: JSON.stringify(body) });
      if (response.ok) {
        text(result, say('Saved', 'Saved.'));
        window.location.reload();
      } else {
        result.classList.add('error');
        text(result, await explain(response));
      }
    });
  }

  document.querySelectorAll('form.write').forEach(form => onStaffWrite(form, f => ({
    url: `/api/pledges/${encodeURIComponent(pledgeId)}/${f.dataset.endpoint}`, etag: f.dataset.etag, body: bodyFor(f),
  })));

  // Review of verdict proposals (the review page and a pledge's page): approve, or reject with a reason.
  document.querySelectorAll('form.review').forEach(form => onStaffWrite(form, f => ({
    url: `/api/pledges/${encodeURIComponent(f.dataset.pledgeId)}/proposals/${encodeURIComponent(f.dataset.proposal)}/${f.dataset.action}`,
    body: f.dataset.action === 'rejection' ? { reason: f.elements.reason.value.trim() } : {},
  })));

  // Evidence from the public: sent as JSON; the answer's private status link is shown to keep.
  const submission = document.getElementById('submission-form');
  if (submission) {
    submission.addEventListener('submit', async event => {
      event.preventDefault();
      const out = document.getElementById('submission-result');
      const f = submission.elements;
      const body = {
        text: f.text.value.trim(), links: f.links.value.split(/\s+/).filter(l => l),
        name: f.name.value.trim() || null, email: f.email.value.trim() || null, website: f.website.value,
      };
      const response = await fetch(`/api/pledges/${encodeURIComponent(submission.dataset.pledgeId)}/submissions`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
      });
      if (response.status === 202) {
        const receipt = await response.json();
        out.textContent = say('SubmissionSent', 'Thank you. Follow your submission at this private link (keep it):') + ' ';
        const link = document.createElement('a');
        link.href = receipt.statusUrl;
        link.textContent = new URL(receipt.statusUrl, window.location.href).href;
        link.id = 'submission-status-link';
        out.appendChild(link);
        submission.reset();
      } else {
        out.textContent = await explain(response);
      }
    });
  }

  // The moderation queue: accept (at the pledge's version) or reject, then the queue again.
  document.querySelectorAll('form.moderate').forEach(form => onStaffWrite(form, f => ({
    url: f.dataset.url,
    etag: f.dataset.etag,
    body: f.dataset.kind === 'accept'
      ? {
        as: f.elements.as.value, title: f.elements.title.value.trim() || null, occurredOn: f.elements.occurredOn.value.trim() || null,
        milestoneId: f.elements.milestoneId.value.trim() || null,
      }
      : { reason: f.elements.reason.value.trim() },
  })));

  const subscribe = document.getElementById('subscribe-form');
  if (subscribe) {
    subscribe.addEventListener('submit', async event => {
      event.preventDefault();
      const out = document.getElementById('subscribe-result');
      const kind = subscribe.elements.kind.value;
      const target = subscribe.elements.target.value.trim();
      const pledge = subscribe.elements.pledgeId.value;
      const body = { kind };
      // An e-mail subscriber's mails are in this page's language; a webhook's payload carries every language.
      if (kind === 'email') { body.email = target; body.language = subscribe.elements.language.value; } else body.url = target;
      if (pledge) body.filter = { pledgeIds: [pledge] };
      const response = await fetch('/api/subscriptions', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
      });
      if (response.ok) {
        const created = await response.json();
        text(out, kind === 'email'
          ? say('CheckInbox', 'Check your inbox to confirm the subscription.')
          : say('Subscribed', 'Subscribed. Keep this signing secret, it is shown only once:') + ' ' + created.secret);
      } else {
        text(out, await explain(response));
      }
    });
  }

  // Live updates: re-render the changed parts from the server without a full reload.
  async function refresh(ids) {
    const response = await fetch(window.location.href, { credentials: 'same-origin', cache: 'no-store' });
    if (!response.ok) return;
    const next = new DOMParser().parseFromString(await response.text(), 'text/html');
    ids.forEach(id => {
      const current = document.getElementById(id);
      const fresh = next.getElementById(id);
      if (current && fresh) current.replaceWith(fresh);
    });
  }

  if ('EventSource' in window && (page === 'list' || page === 'pledge')) {
    const source = new EventSource('/api/live');
    source.addEventListener('pledge', async message => {
      const change = JSON.parse(message.data);
      if (page === 'list') {
        await refresh(['pledge-list']);
      } else if (change.pledgeId === pledgeId) {
        // The staff forms keep the version they were opened with, so a stale edit gets 412.
        await refresh(['pledge-view']);
        const notice = document.getElementById('live-notice');
        notice.hidden = false;
        text(notice, say('LiveUpdated', 'This pledge was just updated.'));
      }
    });
  }
})();

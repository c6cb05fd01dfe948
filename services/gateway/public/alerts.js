// The alert list: one readable sentence per alert, newest first, coloured by kind.
import { $, clock, el, trim } from './dom.js';
import { alertDetails, alertSentence } from './alert-text.js';

const MAX_ALERTS = 50;

export function addAlert(a) {
  const li = el(
    'li',
    { class: `alert alert-${a.kind}`, 'data-kind': a.kind, 'data-venue': a.venue, 'data-id': a.id, 'data-testid': 'alert', title: alertDetails(a) || undefined },
    el('span', { class: 'time' }, clock(a.ts ?? Date.now())),
    el('span', { class: 'kind' }, String(a.kind).replace(/_/g, ' ')),
    el('span', { class: 'text' }, alertSentence(a)),
  );
  $('alerts').prepend(li);
  trim($('alerts'), MAX_ALERTS);
}

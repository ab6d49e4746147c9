import { spacedTrackingNumber, type TrackingStatus } from '../domain/tracking';

/**
 * The human tracking page (GET /tracking/{n} for browsers): the same public facts as the JSON, status and
 * dated events in fixed wording, no personal data. Self-contained HTML (no script, no external assets).
 */

/** True when the client prefers HTML over JSON (Accept q-values; a browser sends text/html first). */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  let html = 0;
  let json = 0;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';').map((p) => p.trim());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q)) continue;
    if (type === 'text/html' || type === 'application/xhtml+xml') html = Math.max(html, q);
    if (type === 'application/json' || type === 'application/problem+json') json = Math.max(json, q);
  }
  return html > 0 && html > json;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const statusWords: Record<TrackingStatus, string> = {
  LABEL_CREATED: 'Label created: the parcel is being prepared',
  SHIPPED: 'Shipped: handed over for delivery',
  IN_TRANSIT: 'In transit',
  OUT_FOR_DELIVERY: 'Out for delivery today',
  DELIVERED: 'Delivered',
  EXCEPTION: 'Delivery exception: the carrier will try again or contact you',
};

/** "Tue, 1 Dec 2026, 10:15:30 UTC": unambiguous for every reader. */
const when = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'UTC', timeZoneName: 'short' }).format(new Date(iso));

export function trackingPageHtml(view: { trackingNumber: string; status: TrackingStatus; events: { at: string; status: TrackingStatus; description: string }[] }): string {
  const rows = [...view.events]
    .reverse()
    .map((e) => `<tr><td><time datetime="${escapeHtml(e.at)}">${escapeHtml(when(e.at))}</time></td><td>${escapeHtml(e.description)}</td></tr>`)
    .join('');
  const number = escapeHtml(spacedTrackingNumber(view.trackingNumber));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Parcel ${number}: ${escapeHtml(statusWords[view.status])}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}
h1{font-size:1.4rem}.status{font-size:1.2rem;font-weight:600;padding:.75rem 1rem;border-left:4px solid #1f6feb;background:#f1f6ff}
table{border-collapse:collapse;width:100%;margin-top:1rem}td{padding:.5rem;border-bottom:1px solid #ddd;vertical-align:top}td:first-child{white-space:nowrap;color:#555}
</style>
</head>
<body>
<main>
<h1>Parcel <span class="number">${number}</span></h1>
<p class="status" data-status="${escapeHtml(view.status)}">${escapeHtml(statusWords[view.status])}</p>
<h2>History</h2>
<table><tbody>${rows}</tbody></table>
<p><small>Times are in UTC. This page shows no names or addresses.</small></p>
</main>
</body>
</html>
`;
}

/**
 * UPU S10 tracking numbers (UPU standard S10): `AA` service indicator, 8-digit serial, mod-11 check digit,
 * ISO 3166-1 alpha-2 country of the issuing operator, e.g. `RA473124829GB`. Plain TypeScript, no AWS.
 */

const WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7] as const;
export const MAX_SERIAL = 99_999_999;

/** The 249 officially assigned ISO 3166-1 alpha-2 codes: an S10 number names a real country. */
const ISO_COUNTRIES = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO ' +
    'JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR ' +
    'MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO ' +
    'RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV ' +
    'TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
);

const S10_PATTERN = /^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$/;

export function isIsoCountry(code: string): boolean {
  return ISO_COUNTRIES.has(code);
}

/** Check digit over the 8 serial digits: 11 − (Σ digit·weight mod 11), where 10 → 0 and 11 → 5. */
export function s10CheckDigit(serialDigits: string): number {
  if (!/^\d{8}$/.test(serialDigits)) throw new RangeError('An S10 serial is exactly 8 digits');
  const sum = WEIGHTS.reduce((acc, weight, i) => acc + weight * Number(serialDigits[i]), 0);
  const check = 11 - (sum % 11);
  if (check === 10) return 0;
  if (check === 11) return 5;
  return check;
}

/** Builds an S10 number; throws RangeError for an invalid indicator, serial or country. */
export function makeTrackingNumber(serviceIndicator: string, serial: number, country: string): string {
  if (!/^[A-Z]{2}$/.test(serviceIndicator)) throw new RangeError('The service indicator is two capital letters');
  if (!Number.isSafeInteger(serial) || serial < 0 || serial > MAX_SERIAL) {
    throw new RangeError(`The serial must be an integer from 0 to ${MAX_SERIAL}`);
  }
  if (!isIsoCountry(country)) throw new RangeError('The country is not an ISO 3166-1 alpha-2 code');
  const digits = String(serial).padStart(8, '0');
  return `${serviceIndicator}${digits}${s10CheckDigit(digits)}${country}`;
}

export interface ParsedTrackingNumber {
  serviceIndicator: string;
  serial: number;
  checkDigit: number;
  country: string;
}

/** Parses a well-formed S10 number (upper case, no spaces), or returns undefined. */
export function parseTrackingNumber(value: string): ParsedTrackingNumber | undefined {
  if (typeof value !== 'string') return undefined;
  const match = S10_PATTERN.exec(value);
  if (!match) return undefined;
  const [, serviceIndicator, digits, check, country] = match;
  if (!isIsoCountry(country)) return undefined;
  if (s10CheckDigit(digits) !== Number(check)) return undefined;
  return { serviceIndicator, serial: Number(digits), checkDigit: Number(check), country };
}

export function isValidTrackingNumber(value: string): boolean {
  return parseTrackingNumber(value) !== undefined;
}

/** Public tracking statuses: what a carrier scan or this service says happened to a parcel. */
export const TRACKING_STATUSES = ['LABEL_CREATED', 'SHIPPED', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED', 'EXCEPTION'] as const;
export type TrackingStatus = (typeof TRACKING_STATUSES)[number];

/** One public tracking event: no personal data, by construction. */
export interface TrackingEvent {
  at: string;
  status: TrackingStatus;
  description: string;
}

/**
 * Milestones happen once per parcel, so a repeated milestone (a retried ship step) is the same event;
 * scans such as IN_TRANSIT can repeat and are told apart by time (or by the carrier's event id).
 */
const MILESTONES: readonly TrackingStatus[] = ['LABEL_CREATED', 'SHIPPED', 'DELIVERED'];

export function trackingEventKey(event: TrackingEvent, eventId?: string): string {
  if (eventId) return `EVENT#${eventId}`;
  return MILESTONES.includes(event.status) ? event.status : `${event.status}@${event.at}`;
}

export interface TrackingState {
  status: TrackingStatus;
  events: TrackingEvent[];
  eventKeys: string[];
}

/**
 * Adds an event unless its key was seen. Events stay in time order (carriers deliver webhooks out of order);
 * the status is the latest event's, except that DELIVERED is final: a late IN_TRANSIT scan cannot undo it.
 * Returns undefined when the event is a duplicate.
 */
export function applyTrackingEvent(state: TrackingState, event: TrackingEvent, key: string): TrackingState | undefined {
  if (state.eventKeys.includes(key)) return undefined;
  const events = [...state.events, event].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const delivered = events.some((e) => e.status === 'DELIVERED');
  const status = delivered ? 'DELIVERED' : events[events.length - 1].status;
  return { status, events, eventKeys: [...state.eventKeys, key] };
}

/** "RA 4731 2482 9 GB" is how posts print S10 numbers for people; the barcode holds the plain number. */
export function spacedTrackingNumber(trackingNumber: string): string {
  const m = /^([A-Z]{2})(\d{4})(\d{4})(\d)([A-Z]{2})$/.exec(trackingNumber);
  return m ? `${m[1]} ${m[2]} ${m[3]} ${m[4]} ${m[5]}` : trackingNumber;
}

/** What a tracking event says when the carrier gave no description of its own. */
export const defaultDescriptions: Record<TrackingEvent['status'], string> = {
  LABEL_CREATED: 'Shipping label created',
  SHIPPED: 'Handed over for delivery',
  IN_TRANSIT: 'In transit',
  OUT_FOR_DELIVERY: 'Out for delivery',
  DELIVERED: 'Delivered',
  EXCEPTION: 'Delivery exception',
};

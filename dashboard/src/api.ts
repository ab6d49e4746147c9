/**
 * The one way the dashboard talks to the API: bearer token attached (refreshed when close to expiry),
 * RFC 9457 problem+json turned into a typed ApiError, and a 401 ends the session so the app shows sign-in
 * and comes back to the same page afterwards.
 */
import { expireSession, refreshSession, validAccessToken } from './auth';
import { loadConfig } from './config';
import type {
  Adjustment,
  Alert,
  FieldError,
  InventoryLevel,
  StockLocation,
  LedgerMovement,
  OpsAlarms,
  Money,
  Order,
  OrderSummary,
  Overview,
  Page,
  Payment,
  DisputeRow,
  Problem,
  Product,
  ReturnView,
} from './types';

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail || problem.title || `Request failed (${problem.status}).`);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }
  get fieldErrors(): FieldError[] {
    return this.problem.errors ?? [];
  }
}

/** Thrown after the session ended; pages ignore it because the sign-in screen replaces them. */
export class SessionExpiredError extends Error {
  constructor() {
    super('Your session has expired.');
    this.name = 'SessionExpiredError';
  }
}

type Query = Record<string, string | number | undefined | null>;

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** Sent as Idempotency-Key: the server answers a repeat with the first response instead of acting twice. */
  idempotencyKey?: string;
}

async function send(path: string, options: RequestOptions, token: string): Promise<Response> {
  const config = await loadConfig();
  const url = new URL(config.apiUrl + path, document.baseURI);
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
  }
  const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: 'application/json, application/problem+json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  try {
    return await fetch(url, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError({ status: 0, title: 'Network error', detail: 'The API cannot be reached. Check your connection and try again.' });
  }
}

/** Sends with a valid token; on 401 refreshes once and retries, then gives up and ends the session. */
export async function rawRequest(path: string, options: RequestOptions = {}): Promise<Response> {
  const config = await loadConfig();
  const token = await validAccessToken(config);
  if (!token) {
    expireSession();
    throw new SessionExpiredError();
  }
  let response = await send(path, options, token);
  if (response.status === 401) {
    const refreshed = await refreshSession(config).catch(() => null);
    if (refreshed) response = await send(path, options, refreshed.accessToken);
    if (response.status === 401) {
      expireSession();
      throw new SessionExpiredError();
    }
  }
  if (!response.ok) throw new ApiError(await problemFrom(response));
  return response;
}

async function problemFrom(response: Response): Promise<Problem> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Partial<Problem> & { message?: string };
    return {
      type: body.type,
      title: body.title,
      status: typeof body.status === 'number' ? body.status : response.status,
      detail: body.detail ?? body.message,
      errors: Array.isArray(body.errors) ? body.errors : undefined,
    };
  } catch {
    return { status: response.status, title: response.statusText || 'Error', detail: `The server answered ${response.status}.` };
  }
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await rawRequest(path, options);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

const enc = encodeURIComponent;

/** SPEC.md says lists are `{ items, nextCursor }`; accept a bare array too so the UI never breaks on it. */
function page<T>(value: Page<T> | T[]): Page<T> {
  return Array.isArray(value) ? { items: value, nextCursor: null } : { items: value.items ?? [], nextCursor: value.nextCursor ?? null };
}

export interface OrderFilters {
  q?: string;
  status?: string;
  email?: string;
  from?: string;
  to?: string;
  needsAttention?: string;
  cursor?: string;
  limit?: number;
}

export interface ProductInput {
  sku?: string;
  name?: string;
  description?: string;
  price?: Money;
  lowStockThreshold?: number;
  active?: boolean;
  /** Create only: opening stock, recorded as the first inventory adjustment. */
  initialStock?: number;
}

export const api = {
  listOrders: async (filters: OrderFilters, signal?: AbortSignal) =>
    page(await request<Page<OrderSummary>>('/admin/orders', { query: { ...filters }, signal })),
  getOrder: (id: string, signal?: AbortSignal) => request<Order>(`/admin/orders/${enc(id)}`, { signal }),
  cancelOrder: (id: string) => request<Order>(`/admin/orders/${enc(id)}/cancel`, { method: 'POST', body: {} }),
  refundOrder: (id: string, amount: number | undefined, idempotencyKey: string) =>
    request<Order>(`/admin/orders/${enc(id)}/refund`, { method: 'POST', body: amount === undefined ? {} : { amount }, idempotencyKey }),
  markDelivered: (id: string) => request<Order>(`/admin/orders/${enc(id)}/delivered`, { method: 'POST', body: {} }),
  markShipmentDelivered: (id: string, shipmentId: string) => request<Order>(`/admin/orders/${enc(id)}/shipments/${enc(shipmentId)}/delivered`, { method: 'POST', body: {} }),
  label: (id: string, format: 'pdf' | 'zpl', shipmentId?: string) =>
    rawRequest(shipmentId ? `/admin/orders/${enc(id)}/shipments/${enc(shipmentId)}/label` : `/admin/orders/${enc(id)}/label`, { query: { format } }),

  listReturns: async (status: string | undefined, cursor?: string, signal?: AbortSignal) =>
    page(await request<Page<ReturnView>>('/admin/returns', { query: { status, cursor }, signal })),
  getReturn: (id: string, signal?: AbortSignal) => request<ReturnView>(`/admin/returns/${enc(id)}`, { signal }),
  approveReturn: (id: string) => request<ReturnView>(`/admin/returns/${enc(id)}/approve`, { method: 'POST' }),
  rejectReturn: (id: string, reason: string) => request<ReturnView>(`/admin/returns/${enc(id)}/reject`, { method: 'POST', body: { reason } }),
  receiveReturn: (id: string, items: { sku: string; quantity: number; disposition: 'restock' | 'scrap' }[]) =>
    request<ReturnView>(`/admin/returns/${enc(id)}/receive`, { method: 'POST', body: { items } }),
  returnLabel: (id: string, format: 'pdf' | 'zpl') => rawRequest(`/admin/returns/${enc(id)}/label`, { query: { format } }),

  listProducts: async (cursor?: string, signal?: AbortSignal) =>
    page(await request<Page<Product>>('/admin/products', { query: { cursor, limit: 100 }, signal })),
  getProduct: (sku: string, signal?: AbortSignal) => request<Product>(`/admin/products/${enc(sku)}`, { signal }),
  createProduct: (input: ProductInput) => request<Product>('/admin/products', { method: 'POST', body: input }),
  updateProduct: (sku: string, input: ProductInput) => request<Product>(`/admin/products/${enc(sku)}`, { method: 'PATCH', body: input }),
  deleteProduct: (sku: string) => request<Product | { deleted?: boolean; deactivated?: boolean } | undefined>(`/admin/products/${enc(sku)}`, { method: 'DELETE' }),

  listInventory: async (cursor?: string, signal?: AbortSignal) =>
    page(await request<Page<InventoryLevel> | InventoryLevel[]>('/admin/inventory', { query: { cursor, limit: 100 }, signal })),
  adjustInventory: (sku: string, delta: number, reason: string, location?: string) =>
    request<InventoryLevel>(`/admin/inventory/${enc(sku)}/adjustments`, { method: 'POST', body: { delta, reason, ...(location ? { location } : {}) } }),
  transferStock: (input: { sku: string; from: string; to: string; quantity: number; reason: string }) =>
    request<InventoryLevel>('/admin/inventory/transfers', { method: 'POST', body: input }),
  listLocations: async (signal?: AbortSignal) => (await request<Page<StockLocation>>('/admin/locations', { signal })).items,
  createLocation: (input: Pick<StockLocation, 'id' | 'name' | 'priority' | 'active'> & { address?: string }) =>
    request<StockLocation>('/admin/locations', { method: 'POST', body: input }),
  updateLocation: (id: string, changes: Partial<Pick<StockLocation, 'name' | 'address' | 'priority' | 'active'>>) =>
    request<StockLocation>(`/admin/locations/${enc(id)}`, { method: 'PATCH', body: changes }),
  listAdjustments: async (sku: string, cursor?: string, signal?: AbortSignal) =>
    page(await request<Page<Adjustment>>(`/admin/inventory/${enc(sku)}/adjustments`, { query: { cursor }, signal })),

  listAlerts: async (cursor?: string, signal?: AbortSignal, open?: boolean) =>
    page(await request<Page<Alert>>('/admin/alerts', { query: { cursor, open: open ? 'true' : undefined }, signal })),
  overview: (range: { from?: string; to?: string }, signal?: AbortSignal) => request<Overview>('/admin/overview', { query: range, signal }),
  /** The CSV export as a Blob (the caller saves it); a 422 (too many rows) is an ApiError like any other. */
  exportOrders: async (filters: { status?: string; from?: string; to?: string; needsAttention?: string }) => (await rawRequest('/admin/orders/export', { query: filters })).blob(),
  listMovements: async (sku: string, cursor?: string, signal?: AbortSignal) =>
    page(await request<Page<LedgerMovement>>(`/admin/inventory/${enc(sku)}/movements`, { query: { cursor }, signal })),
  listOpsAlarms: (signal?: AbortSignal) => request<OpsAlarms>('/admin/ops/alarms', { query: { limit: 100 }, signal }),
  listPayments: async (status: string | undefined, cursor?: string, signal?: AbortSignal) =>
    page(await request<Page<Payment>>('/admin/payments', { query: { status, cursor }, signal })),
  listDisputes: async (status: string | undefined, cursor?: string, signal?: AbortSignal) =>
    page(await request<Page<DisputeRow>>('/admin/disputes', { query: { status, cursor }, signal })),
};

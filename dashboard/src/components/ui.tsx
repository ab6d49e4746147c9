import { useId, type ReactNode } from 'react';
import { ApiError } from '../api';
import { humanize } from '../format';
import type { Resource } from '../hooks';

const statusTone: Record<string, string> = {
  PENDING: 'neutral',
  RESERVED: 'info',
  PAYMENT_ACTION_REQUIRED: 'warning',
  PAID: 'info',
  LABELLED: 'info',
  SHIPPED: 'success',
  DELIVERED: 'success',
  CANCELLED: 'muted',
  FAILED: 'danger',
  // payment statuses (functions/payments/payment.ts)
  action_required: 'warning',
  authorized: 'info',
  captured: 'success',
  voided: 'muted',
  refunded: 'warning',
  partially_refunded: 'warning',
  declined: 'danger',
  failed: 'danger',
  // dispute statuses (Stripe's)
  needs_response: 'danger',
  warning_needs_response: 'danger',
  under_review: 'warning',
  warning_under_review: 'warning',
  won: 'success',
  lost: 'danger',
  warning_closed: 'muted',
  // ops alarm states (GET /admin/ops/alarms)
  ALARM: 'danger',
  OK: 'success',
  INSUFFICIENT_DATA: 'muted',
};

export function StatusBadge({ status }: { status: string }) {
  const tone = statusTone[status] ?? statusTone[status.toLowerCase()] ?? 'neutral';
  return (
    <span className={`badge badge-${tone}`} data-status={status}>
      {humanize(status)}
    </span>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const status = error instanceof ApiError ? error.status : undefined;
  const title =
    status === 403 ? 'You do not have access to this.' : status === 404 ? 'Not found.' : status === 0 ? 'Cannot reach the API.' : 'Something went wrong.';
  return (
    <div className="state state-error" role="alert">
      <strong>{title}</strong>
      <p>{error.message}</p>
      {onRetry && (
        <button type="button" className="btn" onClick={() => onRetry()}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

/** Loading → error → empty → content, the same way on every page. */
export function AsyncView<T>({
  resource,
  isEmpty,
  empty,
  children,
}: {
  resource: Resource<T>;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (resource.error && resource.data === undefined) return <ErrorState error={resource.error} onRetry={() => resource.reload()} />;
  if (resource.data === undefined) return <Loading />;
  if (isEmpty?.(resource.data)) return <EmptyState>{empty ?? 'Nothing here yet.'}</EmptyState>;
  return (
    <>
      {resource.error && (
        <p className="inline-warning" role="status">
          Could not refresh: {resource.error.message}
        </p>
      )}
      {children(resource.data)}
    </>
  );
}

/** The server's problem+json detail, plus its field errors when there is no form field to put them on. */
export function ProblemMessage({ error, showFieldErrors = true }: { error: unknown; showFieldErrors?: boolean }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const fields = showFieldErrors && error instanceof ApiError ? error.fieldErrors : [];
  return (
    <div className="problem" role="alert">
      <p>{message}</p>
      {fields.length > 0 && (
        <ul>
          {fields.map((field) => (
            <li key={`${field.path}:${field.message}`}>
              <code>{field.path}</code>: {field.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Pager({
  hasPrevious,
  nextCursor,
  onPrevious,
  onNext,
  label,
}: {
  hasPrevious: boolean;
  nextCursor: string | null | undefined;
  onPrevious: () => void;
  onNext: (cursor: string) => void;
  label: string;
}) {
  if (!hasPrevious && !nextCursor) return null;
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" className="btn" disabled={!hasPrevious} onClick={onPrevious}>
        ← Previous
      </button>
      <button type="button" className="btn" disabled={!nextCursor} onClick={() => nextCursor && onNext(nextCursor)}>
        Next →
      </button>
    </nav>
  );
}

/** A labelled form control with its inline error wired through aria-describedby/aria-invalid. */
export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string;
  hint?: string;
  children: (props: { id: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} className="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="page-header">
      <h1 tabIndex={-1}>{title}</h1>
      {children && <div className="page-actions">{children}</div>}
    </div>
  );
}

/** A polite status line for what the last action did; renders nothing without a message. */
export function Notice({ children, tone }: { children: ReactNode; tone?: 'info' }) {
  if (!children) return null;
  return (
    <p className={tone ? `notice notice-${tone}` : 'notice'} role="status">
      {children}
    </p>
  );
}

/** "Any status" plus one option per status, as filter selects show them. */
export function StatusOptions({ statuses }: { statuses: readonly string[] }) {
  return (
    <>
      <option value="">Any status</option>
      {statuses.map((status) => (
        <option key={status} value={status}>
          {humanize(status)}
        </option>
      ))}
    </>
  );
}

/** One term/description pair of a details list (`<dl>`). */
export function Detail({ term, children, className }: { term: string; children: ReactNode; className?: string }) {
  return (
    <>
      <dt>{term}</dt>
      <dd className={className}>{children}</dd>
    </>
  );
}

/** A titled card; the heading names the region for screen readers. */
export function Card({ id, title, as: Tag = 'article', children }: { id: string; title: string; as?: 'article' | 'aside'; children: ReactNode }) {
  return (
    <Tag className="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </Tag>
  );
}

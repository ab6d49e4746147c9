/**
 * RFC 9457 problem details. Handlers throw a ProblemError; the shared error middleware turns it into an
 * `application/problem+json` response. Anything else becomes a generic 500 with no stack trace.
 */
export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export class ProblemError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly errors?: FieldError[];

  constructor(status: number, slug: string, detail: string, errors?: FieldError[]) {
    super(detail);
    this.status = status;
    this.type = `/problems/${slug}`;
    this.title = titles[status] ?? 'Error';
    this.errors = errors;
  }

  toProblem(): Problem {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) => new ProblemError(400, 'validation-error', detail, errors);
export const unauthorized = (detail = 'A valid bearer token is required.') => new ProblemError(401, 'unauthorized', detail);
export const forbidden = (detail = 'You do not have access to this resource.') => new ProblemError(403, 'forbidden', detail);
export const notFound = (detail: string) => new ProblemError(404, 'not-found', detail);
export const conflict = (slug: string, detail: string) => new ProblemError(409, slug, detail);
export const unprocessable = (slug: string, detail: string, errors?: FieldError[]) => new ProblemError(422, slug, detail, errors);

export function problemTitle(status: number): string {
  return titles[status] ?? 'Error';
}

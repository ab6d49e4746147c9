import { useState } from 'react';
import { ApiError, api, SessionExpiredError, type ProductInput } from '../api';
import { AdjustDialog, adjustmentNotice } from '../components/AdjustDialog';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { PagedTable, usePagedList } from '../components/PagedTable';
import { AsyncView, Card, Detail, Field, Notice, PageHeader, ProblemMessage } from '../components/ui';
import { formatMoney, formatNumber, minorToInput, parseDecimalToMinor } from '../format';
import { useResource, useTitle } from '../hooks';
import { href, navigate, type Route } from '../router';
import type { FieldError, Product } from '../types';

/** One message carried to the next page (e.g. "deleted" shown on the list after leaving the edit page). */
let flash: string | undefined;
const takeFlash = () => {
  const message = flash;
  flash = undefined;
  return message;
};

const SKU_PATTERN = /^[A-Z0-9][A-Z0-9_-]{0,63}$/;
const CURRENCIES = ['USD', 'EUR', 'GBP', 'CHF', 'SEK', 'DKK', 'NOK', 'PLN', 'JPY', 'CAD', 'AUD'];

export function Products({ route }: { route: Route }) {
  useTitle('Products');
  const [notice] = useState(takeFlash);
  const products = usePagedList(route, (cursor, signal) => api.listProducts(cursor, signal), [], { go: (cursor) => navigate('/products', { cursor }) });

  return (
    <section>
      <PageHeader title="Products">
        <a className="btn btn-primary" href={href('/products/new')}>
          New product
        </a>
      </PageHeader>
      <Notice>{notice}</Notice>
      <PagedTable
        list={products}
        label="Products"
        pagerLabel="Products"
        empty={
          <>
            No products yet. <a href={href('/products/new')}>Create the first one</a>.
          </>
        }
        columns={[
          { label: 'SKU' },
          { label: 'Name' },
          { label: 'Price', num: true },
          { label: 'Available', num: true },
          { label: 'Low-stock threshold', num: true },
          { label: 'State' },
        ]}
        row={(product) => (
          <tr key={product.sku} data-sku={product.sku} className={product.active ? undefined : 'row-inactive'}>
            <td>
              <a className="mono" href={href(`/products/${encodeURIComponent(product.sku)}`)}>
                {product.sku}
              </a>
            </td>
            <td>{product.name}</td>
            <td className="num">{formatMoney(product.price)}</td>
            <td className="num">{formatNumber(product.inventory?.available)}</td>
            <td className="num">{formatNumber(product.lowStockThreshold)}</td>
            <td><ActiveBadge active={product.active} /></td>
          </tr>
        )}
      />
    </section>
  );
}

function ActiveBadge({ active }: { active: boolean }) {
  return active ? <span className="badge badge-success">Active</span> : <span className="badge badge-muted">Inactive</span>;
}

export function ProductEdit({ sku }: { sku: string }) {
  useTitle(`Product ${sku}`);
  const product = useResource((signal) => api.getProduct(sku, signal), [sku]);
  const [dialog, setDialog] = useState<'delete' | 'deactivate' | 'adjust' | null>(null);
  const [notice, setNotice] = useState<string | undefined>(takeFlash);

  return (
    <section>
      <p className="breadcrumb">
        <a href={href('/products')}>← Products</a>
      </p>
      <AsyncView resource={product}>
        {(p) => (
          <>
            <PageHeader title={`${p.name}`}>
              <ActiveBadge active={p.active} />
              <button type="button" className="btn" onClick={() => setDialog('deactivate')}>
                {p.active ? 'Deactivate' : 'Reactivate'}
              </button>
              <button type="button" className="btn btn-danger" onClick={() => setDialog('delete')}>
                Delete
              </button>
            </PageHeader>
            <Notice>{notice}</Notice>
            <div className="product-layout">
              <ProductForm
                key={JSON.stringify(p)}
                product={p}
                onSaved={(saved) => {
                  setNotice(`Saved ${saved.sku}.`);
                  product.reload(true);
                }}
              />
              <Card as="aside" id="stock-title" title="Stock">
                {p.inventory ? (
                  <dl>
                    <Detail term="Available" className="strong">
                      {formatNumber(p.inventory.available)}
                    </Detail>
                    <Detail term="On hand">{formatNumber(p.inventory.onHand)}</Detail>
                    <Detail term="Reserved">{formatNumber(p.inventory.reserved)}</Detail>
                  </dl>
                ) : (
                  <p className="subtle">No stock recorded yet.</p>
                )}
                {p.inventory?.low && <p className="inline-warning">At or below the low-stock threshold.</p>}
                <div className="button-row">
                  <button type="button" className="btn btn-primary" onClick={() => setDialog('adjust')}>
                    Adjust stock
                  </button>
                  <a className="btn btn-ghost" href={href(`/inventory/${encodeURIComponent(p.sku)}`)}>
                    History
                  </a>
                </div>
              </Card>
            </div>
            {dialog === 'adjust' && (
              <AdjustDialog
                level={{ sku: p.sku, ...(p.inventory ?? {}) }}
                onClose={() => setDialog(null)}
                onDone={(updated, delta) => {
                  setNotice(adjustmentNotice(updated, delta));
                  product.reload(true);
                }}
              />
            )}
            <ConfirmDialog
              open={dialog === 'deactivate'}
              title={p.active ? `Deactivate ${p.sku}?` : `Reactivate ${p.sku}?`}
              confirmLabel={p.active ? 'Deactivate' : 'Reactivate'}
              onClose={() => setDialog(null)}
              onConfirm={async () => {
                await api.updateProduct(p.sku, { active: !p.active });
                setNotice(p.active ? `${p.sku} is inactive: customers can no longer order it.` : `${p.sku} is active again.`);
                product.reload(true);
              }}
            >
              <p>{p.active ? 'Customers can no longer see or order it. Existing orders are not affected.' : 'Customers can see and order it again.'}</p>
            </ConfirmDialog>
            <ConfirmDialog
              open={dialog === 'delete'}
              title={`Delete ${p.sku}?`}
              confirmLabel="Delete product"
              danger
              onClose={() => setDialog(null)}
              onConfirm={async () => {
                const result = (await api.deleteProduct(p.sku)) as (Partial<Product> & { detail?: string }) | undefined;
                if (result && result.active === false) {
                  // SPEC.md: a product with open orders is deactivated (200) instead of deleted (204).
                  setNotice(result.detail ?? `${p.sku} has open orders, so it was deactivated instead of deleted.`);
                  product.reload(true);
                  return;
                }
                flash = `Deleted ${p.sku}.`;
                navigate('/products');
              }}
            >
              <p>The product is removed from the catalogue. If it has open orders it is deactivated instead.</p>
            </ConfirmDialog>
          </>
        )}
      </AsyncView>
    </section>
  );
}

export function ProductCreate() {
  useTitle('New product');
  return (
    <section>
      <p className="breadcrumb">
        <a href={href('/products')}>← Products</a>
      </p>
      <PageHeader title="New product" />
      <ProductForm
        onSaved={(saved) => {
          const stocked = (saved.inventory?.onHand ?? 0) > 0;
          flash = stocked ? `Created ${saved.sku}. ${saved.inventory!.onHand} in stock.` : `Created ${saved.sku}. Add stock on the Inventory page.`;
          navigate(`/products/${encodeURIComponent(saved.sku)}`);
        }}
      />
    </section>
  );
}

type FormField = 'sku' | 'name' | 'description' | 'price' | 'currency' | 'lowStockThreshold' | 'active' | 'initialStock';

/** problem+json `errors[].path` ("price.amount", "lowStockThreshold") → the form field it belongs to. */
function fieldOf(path: string): FormField | undefined {
  const [head, next] = path.split(/[.[\]/]/).filter(Boolean);
  if (head === 'price') return next === 'currency' ? 'currency' : 'price';
  return (['sku', 'name', 'description', 'lowStockThreshold', 'active', 'initialStock'] as const).find((f) => f === head);
}

function ProductForm({ product, onSaved }: { product?: Product; onSaved: (product: Product) => void }) {
  const creating = !product;
  const [values, setValues] = useState({
    sku: product?.sku ?? '',
    name: product?.name ?? '',
    description: product?.description ?? '',
    price: product ? minorToInput(product.price) : '',
    currency: product?.price.currency ?? 'USD',
    lowStockThreshold: String(product?.lowStockThreshold ?? 5),
    initialStock: '',
    active: product?.active ?? true,
  });
  const [errors, setErrors] = useState<Partial<Record<FormField, string>>>({});
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string>();

  const set = (key: keyof typeof values) => (event: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => {
    const target = event.target;
    setValues({ ...values, [key]: target instanceof HTMLInputElement && target.type === 'checkbox' ? target.checked : target.value });
    setErrors({ ...errors, [key]: undefined });
  };

  const validate = (): { input?: ProductInput; errors: Partial<Record<FormField, string>> } => {
    const found: Partial<Record<FormField, string>> = {};
    if (creating && !SKU_PATTERN.test(values.sku)) found.sku = 'Use capital letters, digits, “-” or “_” (up to 64), starting with a letter or digit.';
    if (!values.name.trim()) found.name = 'Enter a name.';
    const price = parseDecimalToMinor(values.price, values.currency);
    if (!price.ok) found.price = price.message;
    const threshold = Number(values.lowStockThreshold);
    if (!/^\d+$/.test(values.lowStockThreshold.trim()) || !Number.isSafeInteger(threshold)) found.lowStockThreshold = 'Enter a whole number, 0 or more.';
    const stock = values.initialStock.trim();
    if (creating && stock && !/^\d+$/.test(stock)) found.initialStock = 'Enter a whole number of units, or leave it empty.';
    if (Object.keys(found).length || !price.ok) return { errors: found };
    const full: ProductInput = {
      sku: values.sku,
      name: values.name.trim(),
      ...(values.description.trim() ? { description: values.description.trim() } : {}),
      price: { amount: price.minor, currency: values.currency },
      lowStockThreshold: threshold,
      active: values.active,
    };
    if (creating) return { input: stock ? { ...full, initialStock: Number(stock) } : full, errors: found };
    // PATCH only what changed: unknown or unchanged fields are not sent.
    const patch: ProductInput = {};
    if (full.name !== product.name) patch.name = full.name;
    if ((full.description ?? '') !== (product.description ?? '')) patch.description = full.description ?? '';
    if (full.price!.amount !== product.price.amount || full.price!.currency !== product.price.currency) patch.price = full.price;
    if (full.lowStockThreshold !== product.lowStockThreshold) patch.lowStockThreshold = full.lowStockThreshold;
    if (full.active !== product.active) patch.active = full.active;
    return { input: patch, errors: found };
  };

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setProblem(undefined);
    setSaved(undefined);
    const { input, errors: found } = validate();
    setErrors(found);
    if (!input) return;
    if (!creating && Object.keys(input).length === 0) {
      setSaved('Nothing changed.');
      return;
    }
    setBusy(true);
    try {
      const result = creating ? await api.createProduct(input) : await api.updateProduct(product.sku, input);
      onSaved({ ...(product ?? {}), ...input, ...(result ?? {}) } as Product);
    } catch (err) {
      if (err instanceof SessionExpiredError) return;
      if (err instanceof ApiError && err.fieldErrors.length) {
        const mapped: Partial<Record<FormField, string>> = {};
        const unmapped: FieldError[] = [];
        for (const fieldError of err.fieldErrors) {
          const field = fieldOf(fieldError.path);
          // The API counts money in minor units; say so, or "must be <= 100000000" reads as dollars.
          if (field) mapped[field] ??= fieldError.path === 'price.amount' ? `${fieldError.message} (in minor units, e.g. cents)` : fieldError.message;
          else unmapped.push(fieldError);
        }
        setErrors(mapped);
        // Field errors sit under their inputs; only the summary and any unplaceable ones go on top.
        setProblem(unmapped.length ? new ApiError({ ...err.problem, errors: unmapped }) : new Error(err.message));
      } else if (err instanceof ApiError && err.status === 409 && creating) {
        setErrors({ sku: err.message });
        setProblem(err);
      } else {
        setProblem(err);
      }
    } finally {
      setBusy(false);
    }
  };

  const text = (key: 'sku' | 'name' | 'lowStockThreshold' | 'initialStock', label: string, extra: React.InputHTMLAttributes<HTMLInputElement> = {}) => (
    <Field label={label} error={errors[key]}>
      {(props) => <input {...props} {...extra} value={values[key]} onChange={set(key)} />}
    </Field>
  );

  return (
    <form className="form card" onSubmit={submit} noValidate aria-label={creating ? 'New product' : `Edit ${product.sku}`}>
      {problem ? <ProblemMessage error={problem} /> : null}
      <div className="form-grid">
        {creating ? (
          text('sku', 'SKU', { autoCapitalize: 'characters', spellCheck: false, placeholder: 'MUG-BLUE-350', maxLength: 64 })
        ) : (
          <div className="field">
            <span className="label">SKU</span>
            <span className="mono readonly">{product.sku}</span>
          </div>
        )}
        {text('name', 'Name', { maxLength: 200 })}
        <div className="field-pair">
          <Field label="Price" error={errors.price}>
            {(props) => <input {...props} inputMode="decimal" value={values.price} onChange={set('price')} placeholder="12.50" />}
          </Field>
          <Field label="Currency" error={errors.currency}>
            {(props) => (
              <select {...props} value={values.currency} onChange={set('currency')}>
                {[...new Set([values.currency, ...CURRENCIES])].map((currency) => (
                  <option key={currency}>{currency}</option>
                ))}
              </select>
            )}
          </Field>
        </div>
        {text('lowStockThreshold', 'Low-stock threshold', { inputMode: 'numeric' })}
        {creating && text('initialStock', 'Opening stock (units)', { inputMode: 'numeric', placeholder: '0' })}
        <div className="span-2">
          <Field label="Description" error={errors.description}>
            {(props) => <textarea {...props} rows={3} maxLength={2000} value={values.description} onChange={set('description')} />}
          </Field>
        </div>
        <label className="checkbox span-2">
          <input type="checkbox" checked={values.active} onChange={set('active')} />
          Active (customers can see and order it)
        </label>
        {errors.active && <small className="field-error">{errors.active}</small>}
      </div>
      <div className="form-actions">
        {saved && (
          <span className="subtle" role="status">
            {saved}
          </span>
        )}
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : creating ? 'Create product' : 'Save changes'}
        </button>
      </div>
    </form>
  );
}

import { StrictMode, useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { signOut, useAuth } from './auth';
import { Layout } from './components/Layout';
import { ErrorState, Loading } from './components/ui';
import { loadConfig } from './config';
import { Alerts } from './pages/Alerts';
import { Webhooks } from './pages/Webhooks';
import { Ops } from './pages/Ops';
import { Inventory, InventoryHistory } from './pages/Inventory';
import { Locations } from './pages/Locations';
import { OrderDetail } from './pages/OrderDetail';
import { Orders } from './pages/Orders';
import { Overview } from './pages/Overview';
import { Payments } from './pages/Payments';
import { ReturnDetail, Returns } from './pages/Returns';
import { Disputes } from './pages/Disputes';
import { ProductCreate, ProductEdit, Products } from './pages/Products';
import { SignIn } from './pages/SignIn';
import { href, useRoute, type Route } from './router';
import type { RuntimeConfig } from './types';
import './styles.css';

function App() {
  const [config, setConfig] = useState<RuntimeConfig>();
  const [configError, setConfigError] = useState<Error>();
  const [attempt, setAttempt] = useState(0);
  const { session, notice } = useAuth();
  const route = useRoute();

  useEffect(() => {
    loadConfig().then(setConfig, (error: Error) => setConfigError(new Error(`The dashboard cannot load its settings: ${error.message}`)));
  }, [attempt]);

  if (!config) {
    return configError ? (
      <div className="signin">
        <ErrorState
          error={configError}
          onRetry={() => {
            setConfigError(undefined);
            setAttempt((n) => n + 1);
          }}
        />
      </div>
    ) : (
      <Loading label="Starting…" />
    );
  }
  // The URL is left alone: after signing in, the same route renders.
  if (!session) return <SignIn config={config} notice={notice} />;

  return (
    <Layout active={`/${route.segments[0] ?? 'overview'}`} username={session.username} onSignOut={() => void signOut(config)}>
      <FocusOnNavigate path={route.path} />
      <Page route={route} />
    </Layout>
  );
}

function Page({ route }: { route: Route }) {
  const [section = 'overview', id] = route.segments;
  switch (section) {
    case 'overview':
      return <Overview route={route} />;
    case 'orders':
      return id ? <OrderDetail key={id} id={id} /> : <Orders route={route} />;
    case 'inventory':
      return id ? <InventoryHistory key={id} sku={id} route={route} /> : <Inventory route={route} />;
    case 'locations':
      return <Locations />;
    case 'products':
      if (id === 'new') return <ProductCreate />;
      return id ? <ProductEdit key={id} sku={id} /> : <Products route={route} />;
    case 'returns':
      return id ? <ReturnDetail key={id} id={id} /> : <Returns route={route} />;
    case 'payments':
      return <Payments route={route} />;
    case 'disputes':
      return <Disputes route={route} />;
    case 'alerts':
      return <Alerts route={route} />;
    case 'ops':
      return <Ops />;
    case 'webhooks':
      return <Webhooks id={id} />;
    default:
      return (
        <div className="state state-empty">
          There is no page at <code>{route.path}</code>. <a href={href('/orders')}>Go to orders</a>
        </div>
      );
  }
}

/** Screen readers and keyboard users land on the new page's heading after navigation, not the old link. */
function FocusOnNavigate({ path }: { path: string }) {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const timer = window.setTimeout(() => (document.querySelector('main h1') as HTMLElement | null)?.focus({ preventScroll: false }), 50);
    return () => window.clearTimeout(timer);
  }, [path]);
  return null;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

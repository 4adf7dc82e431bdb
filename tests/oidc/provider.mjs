// A real OpenID provider for the single sign-on tests: the `oidc-provider` package (npm), which
// scripts/test installs into target/oidc-provider. It listens on 127.0.0.1 only and prints
// `ISSUER=http://127.0.0.1:PORT` once it serves.
//
//   node tests/oidc/provider.mjs [PORT] [--exit-with-stdin]
//
// Its own login and consent pages (devInteractions) take any login with any password. The login
// names the person: `ada` is ada@example.com, `bob@other.org` is that address, and a login that
// starts with `unverified` has an e-mail the provider has not verified.
//
// Clients, each with the secret `<client id>-secret`, redirect URIs
// http://127.0.0.1:<any port>/sso/<any slug>/callback and post-logout URI /login there:
//   throughline          a plain confidential client
//   throughline-aud      its ID tokens name another audience (a token meant for someone else)
//   throughline-expired  its ID tokens expired five minutes before they were issued
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

// The package lives under target/, not beside this script.
const modules = process.env.OIDC_PROVIDER_MODULES
  || path.resolve(import.meta.dirname, '../../target/oidc-provider/node_modules');
const require = createRequire(path.join(modules, 'noop.js'));
const { default: Provider } = await import(require.resolve('oidc-provider'));
const jose = await import(require.resolve('jose'));

const args = process.argv.slice(2);
const port = Number(args.find((a) => /^\d+$/.test(a)) ?? 0);
if (args.includes('--exit-with-stdin')) {
  // Started by a test process: end with it.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await jose.exportJWK(privateKey)), kid: `k-${Date.now()}`, use: 'sig', alg: 'RS256' };

const client = (id) => ({
  client_id: id,
  client_secret: `${id}-secret`,
  application_type: 'native',
  redirect_uris: ['http://127.0.0.1/sso/oidc/callback'],
  post_logout_redirect_uris: ['http://127.0.0.1/login'],
  response_types: ['code'],
  grant_types: ['authorization_code'],
  token_endpoint_auth_method: 'client_secret_basic',
});

const configuration = {
  clients: [client('throughline'), client('throughline-aud'), client('throughline-expired')],
  jwks: { keys: [jwk] },
  cookies: { keys: ['throughline-test-cookie-key'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // The claims of the scopes go into the ID token itself, where Throughline reads them.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => true },
  ttl: {
    AccessToken: 3600, AuthorizationCode: 60, Grant: 3600, IdToken: 3600, Interaction: 3600, Session: 3600,
  },
  async findAccount(ctx, id) {
    const email = id.includes('@') ? id : `${id}@example.com`;
    const local = email.split('@')[0];
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email,
          email_verified: !id.startsWith('unverified'),
          name: local.charAt(0).toUpperCase() + local.slice(1),
        };
      },
    };
  },
};

const server = http.createServer();
await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;
const provider = new Provider(issuer, configuration);

// Any port and any provider slug on this machine (a test server listens on port 0).
const loopback = (prefix) => (value) => {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' && u.hostname === '127.0.0.1' && prefix(u.pathname);
  } catch {
    return false;
  }
};
const callback = loopback((p) => /^\/sso\/[a-z0-9-]+\/callback$/.test(p));
const afterLogout = loopback((p) => p === '/login');
provider.Client.prototype.redirectUriAllowed = callback;
provider.Client.prototype.postLogoutRedirectUriAllowed = afterLogout;

// The two misbehaving clients: their ID tokens are issued as usual, then altered and signed
// again with the provider's own key, so only the claim under test is wrong.
const issue = provider.IdToken.prototype.issue;
provider.IdToken.prototype.issue = async function patched(options = {}) {
  const token = await issue.call(this, options);
  const id = this.client?.clientId;
  if (options.use !== 'idtoken' || (id !== 'throughline-aud' && id !== 'throughline-expired')) {
    return token;
  }
  const claims = jose.decodeJwt(token);
  const header = jose.decodeProtectedHeader(token);
  const now = Math.floor(Date.now() / 1000);
  const altered = id === 'throughline-aud'
    ? { ...claims, aud: 'someone-else' }
    : { ...claims, iat: now - 600, exp: now - 300 };
  return new jose.CompactSign(new TextEncoder().encode(JSON.stringify(altered)))
    .setProtectedHeader(header)
    .sign(privateKey);
};

// The development pages load a web font from the internet; nothing here may leave this machine.
provider.use(async (ctx, next) => {
  await next();
  if (typeof ctx.body === 'string' && ctx.type === 'text/html') {
    ctx.body = ctx.body.replace(/@import url\([^)]*\);/g, '');
  }
});

server.on('request', provider.callback());
console.log(`ISSUER=${issuer}`);

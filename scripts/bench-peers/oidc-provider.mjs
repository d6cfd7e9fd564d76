// The peer of scripts/bench-gateway: node-oidc-provider (npm `oidc-provider`) with one client
// allowed client_credentials, on loopback over plain HTTP and over TLS 1.3 at once, so the
// bench can compare like with like (the gateway speaks only TLS 1.3).
//
// The userinfo token is minted through the provider's own models (Grant + AccessToken, as its
// authorization code grant would store them) for an account that findAccount answers with
// the same claims as the gateway's demo user, so /me does the full work of a real request:
// token look-up, grant check, account look-up, claims filtered by the granted scopes.
//
// Storage is in memory: nothing it issues survives a restart. (The gateway writes every
// token and audit entry to SQLite with synchronous=FULL.) Not the provider's development
// adapter: that one is an LRU of 1000 entries, so a burst of client-credentials tokens
// evicts the userinfo token and its grant (every /me is then a 401). This one is a plain Map
// that never evicts, which is also the cheapest storage the provider can have.
//
// Usage: node oidc-provider.mjs CERT.pem KEY.pem; prints one line "oidc-provider ready " + JSON
// {"http": port, "https": port, "userinfo_token": "...", "client_id", "client_secret"} and serves.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import Provider from 'oidc-provider';

const [cert, key] = process.argv.slice(2);
const client = { client_id: 'bench-sp', client_secret: 'bench-sp-secret-0123456789' };

const stores = new Map();
class MapAdapter {
  constructor(name) {
    if (!stores.has(name)) stores.set(name, new Map());
    this.store = stores.get(name);
  }
  async upsert(id, payload) { this.store.set(id, payload); }
  async find(id) { return this.store.get(id); }
  async findByUid(uid) { for (const p of this.store.values()) if (p.uid === uid) return p; return undefined; }
  async findByUserCode(code) { for (const p of this.store.values()) if (p.userCode === code) return p; return undefined; }
  async consume(id) { const p = this.store.get(id); if (p) p.consumed = Math.floor(Date.now() / 1000); }
  async destroy(id) { this.store.delete(id); }
  async revokeByGrantId(grantId) {
    for (const [id, p] of this.store) if (p.grantId === grantId) this.store.delete(id);
  }
}

const provider = new Provider('https://127.0.0.1', {
  adapter: MapAdapter,
  clients: [{
    ...client,
    grant_types: ['client_credentials', 'authorization_code'],
    response_types: ['code'],
    redirect_uris: ['https://127.0.0.1/cb'],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'openid email profile address phone api',
  }],
  scopes: ['openid', 'email', 'profile', 'address', 'phone', 'api'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name', 'birthdate'],
    address: ['address'],
    phone: ['phone_number', 'phone_number_verified'],
  },
  features: {
    clientCredentials: { enabled: true },
    devInteractions: { enabled: false },
    userinfo: { enabled: true },
  },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          given_name: 'Marie',
          family_name: 'Curie',
          birthdate: '1967-11-07',
          email: 'marie.curie@example.org',
          email_verified: true,
          phone_number: '+447700900001',
          phone_number_verified: true,
          address: {
            street_address: '1 Rue Pierre', postal_code: '75005', locality: 'Paris', country: 'FR',
          },
        };
      },
    };
  },
});
// Keep the console quiet: errors would otherwise print per failed request.
provider.on('server_error', (ctx, err) => console.error('server_error', err));

const grant = new provider.Grant({ accountId: 'u-demo-marie', clientId: client.client_id });
grant.addOIDCScope('openid email profile address phone');
const grantId = await grant.save();
const registered = await provider.Client.find(client.client_id);
const accessToken = new provider.AccessToken({
  accountId: 'u-demo-marie',
  client: registered,
  grantId,
  gty: 'authorization_code',
  scope: 'openid email profile address phone',
  expiresIn: 24 * 3600,
});
const userinfoToken = await accessToken.save();

const callback = provider.callback();
const plain = http.createServer(callback);
const tls = https.createServer(
  { cert: fs.readFileSync(cert), key: fs.readFileSync(key), minVersion: 'TLSv1.3' },
  callback,
);
await new Promise((ok) => plain.listen(0, '127.0.0.1', ok));
await new Promise((ok) => tls.listen(0, '127.0.0.1', ok));
console.log("oidc-provider ready " + JSON.stringify({
  http: plain.address().port,
  https: tls.address().port,
  userinfo_token: userinfoToken,
  ...client,
}));

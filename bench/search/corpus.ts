/**
 * A seeded synthetic corpus for the search benchmark: tenants of Zipf-skewed
 * sizes, documents in en/de/fr/it/es built from small support-desk word
 * lists (so keyword search has common and rare terms to rank), a
 * source_type, a `team` metadata key with ten values (a 10%-selective
 * filter) and random unit vectors. Everything comes from one PRNG seed, so
 * two runs load the same data.
 */
import type { DocumentInput } from '../../services/search/src/store/document-input.js';

export type Rng = () => number;

/** mulberry32: a small, fast 32-bit PRNG; uniform in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random direction, uniform on the unit sphere (normalized Gaussians, Box–Muller),
 * rounded to 6 decimals to keep the text form short (cosine distance ignores the tiny change of length).
 */
export function randomUnitVector(rng: Rng, dims: number): number[] {
  const v = new Array<number>(dims);
  let norm = 0;
  for (let i = 0; i < dims; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng()));
    const theta = 2 * Math.PI * rng();
    v[i] = r * Math.cos(theta);
    if (i + 1 < dims) v[i + 1] = r * Math.sin(theta);
  }
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  for (let i = 0; i < dims; i++) v[i] = Math.round((v[i] / norm) * 1e6) / 1e6;
  return v;
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];

/** Index into a list, biased to the front (rank-skewed term frequencies, like real text). */
const skewedIndex = (rng: Rng, length: number, power: number) => Math.floor(length * rng() ** power);

export const LOCALES = ['en', 'de', 'fr', 'it', 'es'] as const;
const LOCALE_WEIGHTS = [0.4, 0.2, 0.15, 0.15, 0.1];
export const SOURCE_TYPES = ['faq', 'guide', 'ticket', 'wiki', 'email'] as const;
/** Ten values, uniform: `{ team: X }` selects 10% of any tenant's documents. */
export const TEAMS = ['support', 'billing', 'logistics', 'sales', 'legal', 'it', 'hr', 'product', 'security', 'marketing'] as const;

const WORDS: Record<(typeof LOCALES)[number], readonly string[]> = {
  en: `password account invoice delivery refund order printer network router firmware update login email address payment subscription
       warranty repair battery screen keyboard license upgrade backup restore contract shipment tracking parcel customer support
       settings profile security certificate server database report export import dashboard calendar meeting travel expense
       holiday salary onboarding laptop monitor`.split(/\s+/),
  de: `passwort konto rechnung lieferung erstattung bestellung drucker netzwerk router firmware aktualisierung anmeldung adresse
       zahlung abonnement garantie reparatur akku bildschirm tastatur lizenz sicherung wiederherstellung vertrag sendung
       paket kunde kundendienst einstellungen profil sicherheit zertifikat datenbank bericht export dashboard kalender
       besprechung reise spesen urlaub gehalt einarbeitung laptop monitor`.split(/\s+/),
  fr: `mot passe compte facture livraison remboursement commande imprimante réseau routeur micrologiciel mise jour connexion
       adresse paiement abonnement garantie réparation batterie écran clavier licence sauvegarde restauration contrat envoi
       suivi colis client assistance paramètres profil sécurité certificat serveur base données rapport tableau calendrier
       réunion voyage dépenses congés salaire intégration ordinateur`.split(/\s+/),
  it: `password conto fattura consegna rimborso ordine stampante rete router firmware aggiornamento accesso indirizzo pagamento
       abbonamento garanzia riparazione batteria schermo tastiera licenza backup ripristino contratto spedizione tracciamento
       pacco cliente assistenza impostazioni profilo sicurezza certificato server database rapporto esportazione cruscotto
       calendario riunione viaggio spese ferie stipendio inserimento portatile`.split(/\s+/),
  es: `contraseña cuenta factura entrega reembolso pedido impresora red enrutador firmware actualización acceso dirección pago
       suscripción garantía reparación batería pantalla teclado licencia copia restauración contrato envío seguimiento paquete
       cliente soporte configuración perfil seguridad certificado servidor base datos informe exportación panel calendario
       reunión viaje gastos vacaciones salario incorporación portátil`.split(/\s+/),
};
/** Product names that occur in every language: a query for one matches across locales. */
const SHARED = ['polysearch', 'acmecloud', 'vpn', 'sso', 'webhook', 'kubernetes', 'sap', 'outlook'] as const;

function pickLocale(rng: Rng): (typeof LOCALES)[number] {
  let x = rng();
  for (let i = 0; i < LOCALES.length; i++) {
    x -= LOCALE_WEIGHTS[i];
    if (x < 0) return LOCALES[i];
  }
  return LOCALES[0];
}

/** Documents per tenant, Zipf (s = 1): with 100 tenants the largest holds ~19%, the smallest ~0.2%. Largest first. */
export function tenantSizes(docs: number, tenants: number): number[] {
  const weights = Array.from({ length: tenants }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / total) * docs);
  const sizes = exact.map((e) => Math.max(1, Math.floor(e)));
  let missing = docs - sizes.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r);
  for (let k = 0; missing > 0; k = (k + 1) % tenants, missing--) sizes[byRemainder[k].i]++;
  for (let i = tenants - 1; missing < 0; i = (i - 1 + tenants) % tenants) {
    if (sizes[i] > 1) {
      sizes[i]--;
      missing++;
    }
  }
  return sizes;
}

export const tenantName = (i: number) => `t${String(i).padStart(3, '0')}`;

/** Tenant of each document, shuffled so that tenants interleave in the heap as they would when written over time. */
export function assignTenants(rng: Rng, sizes: readonly number[]): Uint16Array {
  const total = sizes.reduce((a, b) => a + b, 0);
  const out = new Uint16Array(total);
  let at = 0;
  sizes.forEach((n, t) => out.fill(t, at, (at += n)));
  for (let i = total - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function words(rng: Rng, locale: (typeof LOCALES)[number], count: number): string {
  const list = WORDS[locale];
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(rng() < 0.04 ? pick(rng, SHARED) : list[skewedIndex(rng, list.length, 2)]);
  return out.join(' ');
}

/** One short document (a single passage: well under the chunker's 180 words). */
export function makeDocument(rng: Rng, n: number, tenant: number): DocumentInput {
  const locale = pickLocale(rng);
  const title = words(rng, locale, 3 + Math.floor(rng() * 4));
  const sentences = 3 + Math.floor(rng() * 4);
  const content = Array.from({ length: sentences }, () => `${words(rng, locale, 5 + Math.floor(rng() * 6))}.`).join(' ');
  return {
    tenantId: tenantName(tenant),
    id: `doc-${n}`,
    locale,
    sourceType: pick(rng, SOURCE_TYPES),
    title,
    content,
    metadata: { team: pick(rng, TEAMS) },
  };
}

/** A short keyword-style query: one or two words of one language, sometimes a product name. */
export function makeQueryText(rng: Rng): string {
  if (rng() < 0.15) return pick(rng, SHARED);
  const list = WORDS[pickLocale(rng)];
  const n = rng() < 0.6 ? 1 : 2;
  return Array.from({ length: n }, () => list[skewedIndex(rng, list.length, 1.5)]).join(' ');
}

/**
 * A seeded synthetic corpus for the search benchmark: tenants of Zipf-skewed
 * sizes, documents in en/de/fr/it/es built from small support-desk word
 * lists (so keyword search has common and rare terms to rank), a
 * source_type, a `team` metadata key with ten values (a 10%-selective
 * filter) and vectors (clustered like sentence embeddings, or uniform
 * random). Everything comes from PRNG seeds, so two runs load the same data.
 */
import type { DocumentInput } from '../../services/search/src/store/document-input.js';

export type Rng = () => number;

export { mulberry32 } from '../../test/support/random.js';

/** Standard normal samples (Box–Muller), `dims` of them. */
function gaussians(rng: Rng, dims: number): number[] {
  const v = new Array<number>(dims);
  for (let i = 0; i < dims; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng()));
    const theta = 2 * Math.PI * rng();
    v[i] = r * Math.cos(theta);
    if (i + 1 < dims) v[i + 1] = r * Math.sin(theta);
  }
  return v;
}

function normalize(v: number[]): number[] {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  return v.map((x) => x / norm);
}

/** Rounded to 6 decimals to keep the text form short (cosine distance ignores the tiny change of length). */
const rounded = (v: number[]) => v.map((x) => Math.round(x * 1e6) / 1e6);

/** A random direction, uniform on the unit sphere (normalized Gaussians), rounded to 6 decimals. */
export function randomUnitVector(rng: Rng, dims: number): number[] {
  return rounded(normalize(gaussians(rng, dims)));
}

/** normalize(center + noise), the noise Gaussian with expected length `spread` (center is a unit vector). */
function around(rng: Rng, center: readonly number[], spread: number): number[] {
  const g = gaussians(rng, center.length);
  const scale = spread / Math.sqrt(center.length);
  return normalize(center.map((c, i) => c + scale * g[i]));
}

export { cosine } from '../../test/support/embedder-client.js';

export type VectorKind = 'clustered' | 'uniform';

/** How document and query vectors are drawn. */
export interface VectorModel {
  readonly kind: VectorKind;
  readonly description: string;
  /** The vector of document n; documents must be asked for in order 0, 1, 2, … */
  document(n: number): number[];
  /** A query vector "about" document n's subject (uniform: any random direction, n is ignored). */
  queryNear(rng: Rng, n: number): number[];
}

/** Uniform random unit vectors: no neighbourhood structure, the worst case for HNSW. */
export function uniformVectors(rng: Rng, dims: number): VectorModel {
  return {
    kind: 'uniform',
    description: `${dims}-dim uniform random unit vectors`,
    document: () => randomUnitVector(rng, dims),
    queryNear: (queryRng) => randomUnitVector(queryRng, dims),
  };
}

/**
 * Lengths of the Gaussian noise (relative to unit centers) and the weight of
 * the shared direction, chosen so that cosines land where multilingual-e5's do
 * (e5 puts every text in a narrow cone: unrelated texts ~0.7-0.75, related
 * ~0.8, paraphrases ~0.9):
 *   subtopic around topic: spread 1   → cos(subtopic, other subtopic of the topic) ≈ 1/2
 *   document around subtopic: 0.8     → cos(doc, doc of the same subtopic) ≈ 1/(1+0.64) ≈ 0.61
 *   then normalize(SHARED_WEIGHT·m + x) with m one fixed direction, SHARED_WEIGHT² = 2.5:
 *   cos' ≈ (2.5 + cos) / 3.5 → unrelated ≈ 0.71, same topic ≈ 0.80, same subtopic ≈ 0.89.
 * The shared direction is (almost) an affine map of cosine, so it does not change which
 * neighbours are nearest or how hard they are to find; the spreads do.
 */
const SUBTOPIC_SPREAD = 1;
const DOCUMENT_SPREAD = 0.8;
const SHARED_WEIGHT = Math.sqrt(2.5);
/** Subtopics per topic. */
const SUBTOPICS_PER_TOPIC = 32;

/**
 * Clustered vectors shaped like sentence embeddings: `clusters` subtopic
 * centroids grouped under topics (random directions on the sphere), each
 * document = normalize(its subtopic's centroid + Gaussian noise), every vector
 * pulled into e5's narrow cone by one shared direction. A document's subtopic
 * is uniform over subtopics and independent of its tenant (a tenant's
 * documents are spread over all subjects: the harder case for filtered HNSW).
 * A query near document n = normalize(n's centroid + fresh noise), i.e. another
 * text about the same subject.
 */
export function clusteredVectors(rng: Rng, dims: number, clusters: number): VectorModel {
  const topics = Math.max(1, Math.ceil(clusters / SUBTOPICS_PER_TOPIC));
  const topicCenters = Array.from({ length: topics }, () => normalize(gaussians(rng, dims)));
  const centers = Array.from({ length: clusters }, (_, c) => around(rng, topicCenters[c % topics], SUBTOPIC_SPREAD));
  const shared = normalize(gaussians(rng, dims));
  const clusterOf: number[] = [];
  const embed = (r: Rng, cluster: number) => {
    const x = around(r, centers[cluster], DOCUMENT_SPREAD);
    return rounded(normalize(x.map((xi, i) => xi + SHARED_WEIGHT * shared[i])));
  };
  return {
    kind: 'clustered',
    description: `${dims}-dim clustered vectors (${clusters} subtopics in ${topics} topics, e5-like cosine range)`,
    document(n) {
      if (n !== clusterOf.length) throw new Error(`clustered vectors: document ${n} asked for out of order`);
      const cluster = Math.floor(rng() * clusters);
      clusterOf.push(cluster);
      return embed(rng, cluster);
    },
    queryNear(queryRng, n) {
      if (n >= clusterOf.length) throw new Error(`clustered vectors: no document ${n} yet`);
      return embed(queryRng, clusterOf[n]);
    },
  };
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

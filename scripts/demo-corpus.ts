import type { DocumentInput as DocumentPartial } from '../shared/client/index.js';

/**
 * A small multilingual corpus: an online shop's help centre (six topics) and
 * two service pages of a staffing agency (supply teachers for schools; event
 * and trade-fair staff, a near neighbour), each in English, German, French,
 * Italian and Spanish, so that with real e5 weights a query in one language
 * finds the answer written in another, and a query about temporary school
 * staff has to tell the two staffing services apart.
 */
const topics: Record<string, Record<string, [string, string]>> = {
  password: {
    en: ['Reset your password', 'Open the account settings, choose "Reset password" and follow the link we send you by email. The link is valid for one hour.'],
    de: ['Passwort zurücksetzen', 'Öffnen Sie die Kontoeinstellungen, wählen Sie „Passwort zurücksetzen" und folgen Sie dem Link aus der E-Mail. Der Link ist eine Stunde gültig.'],
    fr: ['Réinitialiser le mot de passe', 'Ouvrez les paramètres du compte, choisissez « Réinitialiser le mot de passe » et suivez le lien reçu par e-mail. Le lien est valable une heure.'],
    it: ['Reimpostare la password', 'Apri le impostazioni del conto, scegli «Reimposta password» e segui il link che ricevi per email. Il link è valido per un\'ora.'],
    es: ['Restablecer la contraseña', 'Abra la configuración de la cuenta, elija «Restablecer contraseña» y siga el enlace que le enviamos por correo. El enlace es válido durante una hora.'],
  },
  invoice: {
    en: ['Where is my invoice?', 'Invoices are sent by email at the start of every month. You also find all invoices as PDF in your customer account under Billing.'],
    de: ['Wo finde ich meine Rechnung?', 'Die Rechnung kommt zu Beginn jedes Monats per E-Mail. Alle Rechnungen finden Sie auch als PDF im Kundenkonto unter Abrechnung.'],
    fr: ['Où est ma facture ?', 'Les factures sont envoyées par e-mail au début de chaque mois. Vous trouvez aussi toutes les factures en PDF dans votre compte client, rubrique Facturation.'],
    it: ['Dov\'è la mia fattura?', 'Le fatture vengono inviate per email all\'inizio di ogni mese. Trovi tutte le fatture in PDF anche nel tuo account cliente, sezione Fatturazione.'],
    es: ['¿Dónde está mi factura?', 'Las facturas se envían por correo al comienzo de cada mes. También encontrará todas las facturas en PDF en su cuenta de cliente, en Facturación.'],
  },
  shipping: {
    en: ['Delivery times', 'Orders leave our warehouse within one working day. Delivery takes two to four working days; you receive a tracking number by email.'],
    de: ['Lieferzeiten', 'Bestellungen verlassen unser Lager innerhalb eines Werktags. Die Lieferung dauert zwei bis vier Werktage; die Sendungsnummer kommt per E-Mail.'],
    fr: ['Délais de livraison', 'Les commandes quittent notre entrepôt en un jour ouvrable. La livraison prend deux à quatre jours ouvrables ; vous recevez un numéro de suivi par e-mail.'],
    it: ['Tempi di consegna', 'Gli ordini lasciano il magazzino entro un giorno lavorativo. La consegna richiede da due a quattro giorni lavorativi; ricevi il numero di tracciamento per email.'],
    es: ['Plazos de entrega', 'Los pedidos salen de nuestro almacén en un día laborable. La entrega tarda de dos a cuatro días laborables; recibirá un número de seguimiento por correo.'],
  },
  returns: {
    en: ['Returning an item', 'You can return any item within 30 days. Print the return label from your account, pack the item and drop it at a post office. We refund within five days.'],
    de: ['Artikel zurücksenden', 'Sie können jeden Artikel innerhalb von 30 Tagen zurücksenden. Drucken Sie das Rücksendeetikett im Konto, verpacken Sie den Artikel und geben Sie ihn bei der Post ab. Die Erstattung erfolgt in fünf Tagen.'],
    fr: ['Retourner un article', 'Vous pouvez retourner un article sous 30 jours. Imprimez l\'étiquette de retour depuis votre compte, emballez l\'article et déposez-le à la poste. Nous remboursons sous cinq jours.'],
    it: ['Restituire un articolo', 'Puoi restituire qualsiasi articolo entro 30 giorni. Stampa l\'etichetta di reso dal tuo account, imballa l\'articolo e consegnalo all\'ufficio postale. Rimborsiamo entro cinque giorni.'],
    es: ['Devolver un artículo', 'Puede devolver cualquier artículo en un plazo de 30 días. Imprima la etiqueta de devolución desde su cuenta, embale el artículo y entréguelo en correos. Reembolsamos en cinco días.'],
  },
  hours: {
    en: ['Opening hours of the support team', 'Our support team answers by phone and chat from Monday to Friday, 8 am to 6 pm, and on Saturday from 9 am to 1 pm.'],
    de: ['Öffnungszeiten des Supports', 'Unser Support ist telefonisch und im Chat von Montag bis Freitag von 8 bis 18 Uhr erreichbar, samstags von 9 bis 13 Uhr.'],
    fr: ['Horaires du service client', 'Notre service client répond par téléphone et par chat du lundi au vendredi de 8 h à 18 h, et le samedi de 9 h à 13 h.'],
    it: ['Orari dell\'assistenza', 'La nostra assistenza risponde al telefono e in chat dal lunedì al venerdì dalle 8 alle 18, il sabato dalle 9 alle 13.'],
    es: ['Horario de atención al cliente', 'Nuestro equipo de atención responde por teléfono y chat de lunes a viernes de 8 a 18 h, y los sábados de 9 a 13 h.'],
  },
  privacy: {
    en: ['How we protect your data', 'Your data stays on servers in the European Union. We never sell personal data, and you can ask for a copy or deletion at any time.'],
    de: ['Wie wir Ihre Daten schützen', 'Ihre Daten bleiben auf Servern in der Europäischen Union. Wir verkaufen niemals persönliche Daten; Sie können jederzeit eine Kopie oder die Löschung verlangen.'],
    fr: ['Comment nous protégeons vos données', 'Vos données restent sur des serveurs dans l\'Union européenne. Nous ne vendons jamais de données personnelles et vous pouvez demander une copie ou la suppression à tout moment.'],
    it: ['Come proteggiamo i tuoi dati', 'I tuoi dati restano su server nell\'Unione europea. Non vendiamo mai dati personali e puoi chiederne una copia o la cancellazione in qualsiasi momento.'],
    es: ['Cómo protegemos sus datos', 'Sus datos permanecen en servidores de la Unión Europea. Nunca vendemos datos personales y puede pedir una copia o su eliminación en cualquier momento.'],
  },
  'supply-teachers': {
    en: ['Supply teachers for schools', 'Our education team places qualified supply teachers and cover supervisors in primary and secondary schools, for a single day of sickness cover or for a whole term. Every teacher holds qualified teacher status and an enhanced background check. Call before 7.30 am for cover on the same day.'],
    de: ['Vertretungslehrkräfte für Schulen', 'Unser Bildungsteam vermittelt qualifizierte Vertretungslehrkräfte an Grundschulen und weiterführende Schulen – für einen einzelnen Krankheitstag oder für ein ganzes Schulhalbjahr. Alle Lehrkräfte haben eine Lehrbefähigung und ein erweitertes Führungszeugnis. Für eine Vertretung am selben Tag rufen Sie bis 7:30 Uhr an.'],
    fr: ['Enseignants remplaçants pour les écoles', 'Notre pôle éducation met à disposition des enseignants remplaçants qualifiés pour les écoles primaires, les collèges et les lycées, pour une seule journée d\'absence comme pour un trimestre entier. Chaque enseignant est diplômé et son casier judiciaire est vérifié. Appelez avant 7 h 30 pour un remplacement le jour même.'],
    it: ['Insegnanti supplenti per le scuole', 'Il nostro team scuola fornisce insegnanti supplenti qualificati a scuole primarie e secondarie, per un solo giorno di malattia o per un intero trimestre. Ogni docente è abilitato e ha il casellario giudiziale verificato. Per una supplenza in giornata chiamate entro le 7.30.'],
    es: ['Profesores sustitutos para colegios', 'Nuestro equipo de educación proporciona profesores sustitutos titulados a colegios de primaria y secundaria, para un solo día de baja o para un trimestre completo. Todos los docentes tienen la titulación exigida y el certificado de antecedentes. Para una sustitución el mismo día, llame antes de las 7:30.'],
  },
  'event-staff': {
    en: ['Event and trade fair staff', 'Need hosts, cloakroom attendants or promoters for a trade fair, a conference or a product launch? We provide trained event staff at 48 hours\' notice, in uniform or in your brand colours, for a few hours or a whole week.'],
    de: ['Messe- und Eventpersonal', 'Sie brauchen Hostessen, Garderobenpersonal oder Promoter für eine Messe, eine Konferenz oder eine Produkteinführung? Wir stellen geschultes Eventpersonal mit 48 Stunden Vorlauf, in Uniform oder in Ihren Markenfarben, für wenige Stunden oder eine ganze Woche.'],
    fr: ['Personnel pour salons et événements', 'Besoin d\'hôtesses, d\'agents de vestiaire ou d\'animateurs pour un salon, une conférence ou un lancement de produit ? Nous fournissons du personnel événementiel formé sous 48 heures, en uniforme ou aux couleurs de votre marque, pour quelques heures ou une semaine entière.'],
    it: ['Personale per fiere ed eventi', 'Vi servono hostess, addetti al guardaroba o promoter per una fiera, un congresso o il lancio di un prodotto? Forniamo personale per eventi formato con 48 ore di preavviso, in divisa o con i colori del vostro marchio, per poche ore o un\'intera settimana.'],
    es: ['Personal para ferias y eventos', '¿Necesita azafatas, personal de guardarropa o promotores para una feria, un congreso o un lanzamiento de producto? Ofrecemos personal de eventos formado con 48 horas de antelación, con uniforme o con los colores de su marca, por unas horas o una semana entera.'],
  },
};

/** Topics that are a staffing agency's service pages rather than shop help articles. */
const SERVICES = new Set(['supply-teachers', 'event-staff']);

export const DEMO_TENANT = 'demo';

export const demoCorpus: DocumentPartial[] = Object.entries(topics).flatMap(([topic, byLocale]) =>
  Object.entries(byLocale).map(([locale, [title, content]]) => ({
    tenantId: DEMO_TENANT,
    id: `${topic}-${locale}`,
    locale,
    sourceType: SERVICES.has(topic) ? 'service' : topic === 'privacy' ? 'policy' : 'faq',
    title,
    content,
    metadata: { topic },
  })),
);

/**
 * The same need in five languages, worded unlike the answer ("staff for a
 * temporary school" vs "supply teachers"): it must find the supply-teacher
 * pages, not the event-staff ones (the phrasings of the real model's semantic
 * sanity check in
 * ../shared/models/multilingual-e5-small/PROVENANCE.md). The demo runs them
 * by meaning and test/demo.test.ts checks the first hit on the real model.
 */
export const MEANING_CHECKS: { lang: string; query: string; topic: string }[] = [
  { lang: 'en', query: 'staff for a temporary school', topic: 'supply-teachers' },
  { lang: 'de', query: 'Personal für eine befristete Schule', topic: 'supply-teachers' },
  { lang: 'fr', query: 'personnel pour une école temporaire', topic: 'supply-teachers' },
  { lang: 'it', query: 'personale per una scuola temporanea', topic: 'supply-teachers' },
  { lang: 'es', query: 'personal para una escuela temporal', topic: 'supply-teachers' },
];

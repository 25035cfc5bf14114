/**
 * Common words and subword pieces of the five languages the search tests
 * write in. Whole words become "▁word" pieces so that test texts tokenize to
 * one piece per word, which is what makes the tiny model's vectors track word
 * overlap. Kept as plain strings: easy to extend, no data files to ship.
 */

const ENGLISH = `
the be to of and a in that have i it for not on with he as you do at this but his by from they we say her she or an
will my one all would there their what so up out if about who get which go me when make can like time no just him know
take people into year your good some could them see other than then now look only come its over think also back after
use two how our work first well way even new want because any these give day most us is are was were been has had did
does said made went got came took saw knew thought told found gave left felt kept began seemed help show hear play run
move live believe hold bring happen write provide sit stand lose pay meet include continue set learn change lead
understand watch follow stop create speak read allow add spend grow open walk win offer remember love consider appear
buy wait serve die send expect build stay fall cut reach kill remain suggest raise pass sell require report decide pull
world life hand part child eye woman man place week case point government company number group problem fact house home
water room mother father area money story month lot right study book job word business issue side kind head service
friend power hour game line end member law car city community name president team minute idea kid body information
school family student country night morning evening door table window street road town river sea mountain tree garden
food bread coffee tea milk wine beer apple cheese meat fish breakfast lunch dinner kitchen doctor hospital police music
art history science computer phone email internet software data search engine question answer language text price
shop market bank office train station airport hotel ticket travel holiday summer winter spring autumn weather rain
snow sun moon star sky cat dog horse bird animal flower color red blue green yellow black white big small long short
old young high low great little large important different same early late easy hard best better bad free full sure
real true clear simple possible whole public private local national social political economic human open close today
tomorrow yesterday always never often sometimes here where why very much many more less few every each both again
still already together without under between during before against through while since until around down off away
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september
october november december red one two three four five six seven eight nine ten hundred thousand million hello thanks
please sorry yes welcome goodbye berlin paris rome madrid london europe germany france italy spain england
`;

const GERMAN = `
der die das und ist nicht ein eine einen einem einer es sie er wir ihr ich du mit von zu den dem des auf für im in an
als auch so wie noch aber nach bei aus wenn nur oder schon hat haben sind war waren wird werden kann können muss
müssen soll sollen will wollen darf mag möchte sein bin bist seid hatte gibt geht gehen kommt kommen macht machen
sagt sagen sieht sehen weiß wissen denkt denken findet finden nimmt nehmen bleibt bleiben steht stehen liegt liegen
heißt lebt leben arbeitet arbeiten spielt spielen lernt lernen schreibt schreiben liest lesen spricht sprechen hört
hören kauft kaufen fährt fahren wohnt wohnen braucht brauchen zeigt zeigen hallo welt guten tag morgen abend nacht
danke bitte ja nein vielleicht heute gestern immer nie oft hier dort jetzt dann wann warum weil dass was wer wo wie
viel viele mehr wenig alle alles jeder jede nichts etwas man haus häuser wohnung zimmer küche tür fenster garten
stadt dorf land straße weg platz brücke fluss see meer berg wald baum blume tier hund katze pferd vogel fisch mensch
menschen mann frau kind kinder familie vater mutter bruder schwester freund freundin schule lehrer schüler student
universität arbeit beruf firma büro geld bank preis markt laden geschäft auto bahn zug bahnhof flughafen hotel reise
urlaub sommer winter frühling herbst wetter regen schnee sonne mond stern himmel wasser brot kaffee tee milch wein
bier apfel käse fleisch frühstück mittagessen essen trinken buch zeitung brief wort sprache frage antwort suche
daten computer telefon rechner internet nachricht geschichte musik kunst wissenschaft politik regierung gesetz
zeit jahr monat woche stunde minute groß klein alt neu jung gut schlecht schön lang kurz hoch tief schnell langsam
warm kalt leicht schwer einfach richtig falsch wichtig möglich deutsch deutschland berlin münchen hamburg köln
österreich schweiz europa montag dienstag mittwoch donnerstag freitag samstag sonntag januar februar märz april mai
juni juli august september oktober november dezember null eins zwei drei vier fünf sechs sieben acht neun zehn
hundert tausend erste zweite letzte neue grüne rote blaue weiße schwarze gelbe straßenbahn über unter zwischen
gegen ohne durch um bis seit während hinter neben vor mich dich sich uns euch ihm ihn ihnen mein dein sein unser
ihre größe grüße schlüssel tür müde früh spät fußball gemüse obst kartoffel suppe
`;

const FRENCH = `
le la les un une des de du et est sont il elle ils elles nous vous je tu on ne pas que qui quoi dans pour par sur avec
sans mais ou donc car ce cette ces son sa ses leur leurs mon ma mes ton ta tes notre votre au aux en y être avoir
faire dire aller voir savoir pouvoir vouloir venir devoir prendre trouver donner parler mettre passer regarder aimer
croire penser connaître vivre partir comprendre attendre entendre sortir suivre écrire lire ouvrir fermer manger boire
acheter vendre payer chercher travailler jouer apprendre appeler arriver rester tomber porter fait dit va voit sait
peut veut vient doit prend trouve donne parle met était avait été eu bonjour bonsoir merci oui non peut-être
aujourd'hui demain hier toujours jamais souvent ici là maintenant alors quand pourquoi comment combien parce très
trop beaucoup peu plus moins tout tous toute toutes rien quelque chose monde maison appartement chambre cuisine porte
fenêtre jardin ville village pays rue route place pont rivière mer montagne forêt arbre fleur animal chien chat cheval
oiseau poisson homme femme enfant enfants famille père mère frère sœur ami amie école professeur élève étudiant
université travail métier entreprise bureau argent banque prix marché magasin voiture train gare aéroport hôtel voyage
vacances été hiver printemps automne temps pluie neige soleil lune étoile ciel eau pain café thé lait vin bière pomme
fromage viande petit-déjeuner déjeuner dîner livre journal lettre mot langue question réponse recherche données
ordinateur téléphone internet message histoire musique art science politique gouvernement loi jour année mois semaine
heure minute grand petit vieux nouveau jeune bon mauvais beau long court haut bas rapide lent chaud froid facile
difficile vrai faux important possible français france paris lyon marseille europe lundi mardi mercredi jeudi
vendredi samedi dimanche janvier février mars avril mai juin juillet août septembre octobre novembre décembre zéro
un deux trois quatre cinq six sept huit neuf dix cent mille premier première dernier nouvelle où déjà après avant
entre contre pendant depuis chez sous vers très-bien élevé à ça çà garçon leçon français noël naïf
`;

const ITALIAN = `
il lo la i gli le un uno una di da in con su per tra fra e è sono non che chi cosa come dove quando perché ma o anche
se più meno molto poco tutto tutti questo questa quello quella mio mia tuo tua suo sua nostro vostro loro io tu lui
lei noi voi essere avere fare dire andare vedere sapere potere volere venire dovere prendere trovare dare parlare
mettere passare guardare amare credere pensare conoscere vivere partire capire aspettare sentire uscire seguire
scrivere leggere aprire chiudere mangiare bere comprare vendere pagare cercare lavorare giocare imparare chiamare
arrivare restare cadere portare fa dice va vede sa può vuole viene deve prende trova dà parla era aveva stato ciao
buongiorno buonasera grazie prego sì no forse oggi domani ieri sempre mai spesso qui qua lì là adesso ora allora
mondo casa appartamento camera cucina porta finestra giardino città paese strada via piazza ponte fiume mare montagna
bosco albero fiore animale cane gatto cavallo uccello pesce uomo donna bambino bambini famiglia padre madre fratello
sorella amico amica scuola insegnante studente università lavoro mestiere azienda ufficio soldi banca prezzo mercato
negozio macchina treno stazione aeroporto albergo viaggio vacanze estate inverno primavera autunno tempo pioggia neve
sole luna stella cielo acqua pane caffè tè latte vino birra mela formaggio carne colazione pranzo cena libro giornale
lettera parola lingua domanda risposta ricerca dati computer telefono messaggio storia musica arte scienza politica
governo legge giorno anno mese settimana minuto grande piccolo vecchio nuovo giovane buono cattivo bello lungo corto
alto basso veloce lento caldo freddo facile difficile vero falso importante possibile italiano italia roma milano
napoli firenze venezia europa lunedì martedì mercoledì giovedì venerdì sabato domenica gennaio febbraio marzo aprile
maggio giugno luglio agosto settembre ottobre novembre dicembre zero uno due tre quattro cinque sei sette otto nove
dieci cento mille primo ultima ultimo nuova già dopo prima contro durante senza sotto sopra verso perciò così può più
però città università
`;

const SPANISH = `
el la los las un una unos unas de del al y e o u es son está están no que qué quien quién como cómo donde dónde cuando
cuándo porque por para con sin sobre entre hasta desde pero si sí más menos muy mucho poco todo todos este esta ese
esa aquel mi tu su nuestro vuestro yo él ella nosotros vosotros ellos ellas usted ser estar haber tener hacer decir ir
ver saber poder querer venir deber tomar encontrar dar hablar poner pasar mirar amar creer pensar conocer vivir salir
entender esperar oír seguir escribir leer abrir cerrar comer beber comprar vender pagar buscar trabajar jugar aprender
llamar llegar quedar caer llevar hace dice va ve sabe puede quiere viene debe toma encuentra da habla era había sido
hola buenos días buenas tardes noches gracias por favor quizás hoy mañana ayer siempre nunca a menudo aquí allí ahora
entonces mundo casa piso habitación cocina puerta ventana jardín ciudad pueblo país calle camino plaza puente río mar
montaña bosque árbol flor animal perro gato caballo pájaro pez hombre mujer niño niña niños familia padre madre
hermano hermana amigo amiga escuela profesor alumno estudiante universidad trabajo oficio empresa oficina dinero
banco precio mercado tienda coche tren estación aeropuerto hotel viaje vacaciones verano invierno primavera otoño
tiempo lluvia nieve sol luna estrella cielo agua pan café té leche vino cerveza manzana queso carne desayuno almuerzo
cena libro periódico carta palabra lengua idioma pregunta respuesta búsqueda datos ordenador teléfono mensaje
historia música arte ciencia política gobierno ley día año mes semana hora minuto grande pequeño viejo nuevo joven
bueno malo bonito largo corto alto bajo rápido lento caliente frío fácil difícil verdad falso importante posible
español españa madrid barcelona sevilla valencia méxico europa lunes martes miércoles jueves viernes sábado domingo
enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre cero uno dos tres cuatro
cinco seis siete ocho nueve diez cien mil primero último nueva ya después antes contra durante bajo hacia también
señor señora año niño mañana corazón canción
`;

/** Lower-case words per language, in the order written (roughly by frequency). */
export const WORDS: Record<'en' | 'de' | 'fr' | 'it' | 'es', string[]> = {
  en: split(ENGLISH),
  de: split(GERMAN),
  fr: split(FRENCH),
  it: split(ITALIAN),
  es: split(SPANISH),
};

/** Word-initial pieces (written with ▁ by the vocabulary). */
export const PREFIXES = split(`
un re in im dis pre pro con com ex de be ver ent er zer ge auf aus ein mit vor nach über unter ab an
an dé ré in pré con com sur sous tra ri pre con dis in s pro des re con in sub
`);

/** Word-continuation pieces (no ▁): inflections and derivations. */
export const SUFFIXES = split(`
s es ed ing er est ly ness ment tion tions sion able ible ful less ous ive al ial ity ize ise ism ist ship hood
en e n er ern es st t te ten heit keit ung ungen lich ig isch schaft los bar chen lein nis tum
ent e es er ez ons ais ait aient é ée és ées eur euse ique isme iste ité tion ment ments able eux euse ière
o a i e are ere ire ato ata ati ate ando endo ione ioni mente ità ista ismo oso osa etto etta ino ina
os as ar er ir ado ada ados adas ido ida ando iendo ción ciones dad mente ero era ista ismo oso osa ito ita
a e i o u y th ch sh ph qu gu ll rr ss tt nn mm pp zz ck ng nk st sp sch
`);

/** The e5 role prefixes; "query:" and "passage:" must cost one piece each plus ":". */
export const E5_PREFIX_WORDS = ['query', 'passage', 'Query', 'Instruct'];

function split(text: string): string[] {
  return text.split(/\s+/).filter((w) => w.length > 0);
}

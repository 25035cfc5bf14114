// Entry point of the production inference worker thread.
import { serveWorker } from './worker-main.js';

serveWorker();

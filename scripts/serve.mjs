// `npm start` / `npm run preview`: serves the production build on http://localhost:4173 (PORT to change).
import { startStaticServer } from './static-server.mjs';

const port = Number(process.env.PORT ?? 4173);
const host = process.env.HOST ?? '127.0.0.1';
const { url } = await startStaticServer({ port, host });
console.log(`Skein is running at ${url.replace('127.0.0.1', 'localhost')}  (Ctrl+C to stop)`);

// A single-page app: everything renders in the browser from the precached shell.
export const ssr = false;
export const prerender = false;

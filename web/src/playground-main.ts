// The playground on its own, for `npm run build:playground`: a static folder any host serves,
// with no store and no server behind it. The address is the dashboard's: #/playground?N=64&...
import './style.css';
import { h, setChildren } from './dom.js';
import { playgroundPage } from './pages/playground.js';

const page = h('div', { class: 'page' });
setChildren(document.getElementById('app')!, page);
if (!location.hash.startsWith('#/playground')) history.replaceState(null, '', '#/playground');
const hash = location.hash;
playgroundPage(page, {
  path: [],
  query: new URLSearchParams(hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : ''),
});

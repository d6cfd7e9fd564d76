import './style.css';
import { startApp } from './app';

void startApp();

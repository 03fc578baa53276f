-- Each person's interface language (a code such as 'es'); NULL follows their browser.
ALTER TABLE users ADD COLUMN language TEXT;

// social: progressive enhancement only

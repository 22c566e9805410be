"""The review desk: `briefkit review serve`, editors correcting the translation in the browser."""

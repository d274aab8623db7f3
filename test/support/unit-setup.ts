// Unit tests are quick, but CI machines are shared: a generous hang guard instead of jest's 5 s,
// so that a slow moment is not a failure (no test asserts speed).
jest.setTimeout(60_000);

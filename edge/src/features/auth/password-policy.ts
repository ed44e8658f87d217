/**
 * Signup password rules beyond length (which the contract checks): not one of the
 * passwords every credential-stuffing list starts with, and not the account's own email
 * or handle. Failures come back as ordinary validation issues on `password`.
 */

/** The most common leaked passwords of 10+ characters (shorter ones fail the length rule anyway). */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  "1234567890",
  "0123456789",
  "0987654321",
  "9876543210",
  "1111111111",
  "0000000000",
  "1234512345",
  "1122334455",
  "1234567891",
  "12345678910",
  "123456789a",
  "a123456789",
  "qwertyuiop",
  "asdfghjkl;",
  "1q2w3e4r5t",
  "1qaz2wsx3edc",
  "qazwsxedcrfv",
  "zaq12wsxcde3",
  "q1w2e3r4t5",
  "qwerty1234",
  "qwerty12345",
  "qwerty123456",
  "qwertyuiop123",
  "password12",
  "password123",
  "password1234",
  "password12345",
  "password123!",
  "passw0rd123",
  "p@ssw0rd123",
  "p@ssword123",
  "mypassword",
  "mypassword1",
  "mypassword123",
  "thisismypassword",
  "newpassword",
  "changeme123",
  "letmein123",
  "letmeinnow",
  "welcome123",
  "welcome1234",
  "iloveyou12",
  "iloveyou123",
  "sunshine123",
  "princess123",
  "football123",
  "baseball123",
  "basketball",
  "superman123",
  "starwars123",
  "trustno1234",
  "dragon1234",
  "monkey12345",
  "abcdefghij",
  "abcdefghijk",
  "abcd123456",
  "abc1234567",
  "abcdef123456",
  "1234567890q",
  "1234qwerasdf",
  "asdfasdfasdf",
  "asdfghjkl1",
  "zxcvbnm123",
  "administrator",
  "admin12345",
  "admin123456",
  "qwertyqwerty",
  "aaaaaaaaaa",
  "streamline",
  "streamline1",
  "streamline123",
  "videovideo",
]);

function allOneCharacter(password: string) {
  return /^(.)\1+$/u.test(password);
}

export type PasswordIssue = { path: "password"; message: string; code: "weak_password" };

export function passwordIssues(
  password: string,
  account: { email: string; handle: string },
): PasswordIssue[] {
  const lower = password.toLowerCase();
  const issue = (message: string): PasswordIssue[] => [{ path: "password", message, code: "weak_password" }];
  if (COMMON_PASSWORDS.has(lower) || allOneCharacter(password))
    return issue("this password is too common; choose another");
  const local = account.email.split("@")[0] ?? "";
  if (lower === account.email || lower === account.handle || (local.length >= 4 && lower === local)) {
    return issue("password must not be your email or handle");
  }
  return [];
}

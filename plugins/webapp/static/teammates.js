// Teammates, for names and pickers: GET /api/users answers any signed-in user with every user,
// inactive ones included so old owners and assignees keep their names. Pickers offer the
// active ones only, plus the value a record already holds (see pickerChoices).

/** Everyone with an account, ordered by name: [{id, name, email, active}]. */
export async function loadTeammates(api) {
  const { users } = await api.get("/api/users");
  return users;
}

/** A user as a picker or filter labels them: "Name", "Name (inactive)". */
export function teammateLabel(user) {
  return user.active ? user.name : `${user.name} (inactive)`;
}

/**
 * [id, label] pairs for a picker: the active users, and `current` when it is an inactive (or
 * unknown) user, so an edit of something else does not silently change it. Two active users
 * of the same name are told apart by their email.
 */
export function pickerChoices(users, current = null) {
  const active = users.filter((u) => u.active);
  const named = new Map();
  for (const u of active) named.set(u.name, (named.get(u.name) || 0) + 1);
  const choices = active.map((u) => [u.id, named.get(u.name) > 1 ? `${u.name} (${u.email})` : u.name]);
  if (current !== null && current !== undefined && current !== "" && !active.some((u) => u.id === Number(current))) {
    const user = users.find((u) => u.id === Number(current));
    choices.push([Number(current), user ? teammateLabel(user) : `User ${current}`]);
  }
  return choices;
}

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{AddPerson, ResetTotp, UpdatePerson, list_people};
use crate::components::{ErrorNotice, Layout, role_name};
use crate::i18n::{t, t_string, use_i18n};
use crate::model::{Me, Person, PersonChanges, Role};
use crate::tracking::tracked_in_browser;

#[component]
pub fn PeoplePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, people.title) />
        <Layout page=people />
    }
}

fn people(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddPerson>::new();
    let update = ServerAction::<UpdatePerson>::new();
    let people = Resource::new(
        tracked_in_browser(move || (add.version().get(), update.version().get())),
        |_| list_people(),
    );
    let add_error = Signal::derive(move || add.value().get().and_then(Result::err));
    let reset = ServerAction::<ResetTotp>::new();
    let update_error = Signal::derive(move || {
        update
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| reset.value().get().and_then(Result::err))
    });
    let was_reset = move || matches!(reset.value().get(), Some(Ok(())));
    let added = move || add.value().get().and_then(Result::ok);

    view! {
        <main class="page">
            <h1>{t!(i18n, people.heading)}</h1>
            <section class="card" aria-labelledby="add-person-heading">
                <h2 id="add-person-heading">{t!(i18n, people.add.heading)}</h2>
                <ActionForm action=add attr:class="inline-form">
                    <label>{t!(i18n, people.add.name)} <input name="name" required maxlength="100" /></label>
                    <label>{t!(i18n, people.add.email)} <input type="email" name="email" required /></label>
                    <label>
                        {t!(i18n, people.add.role)}
                        <select name="role">
                            {Role::ALL.into_iter().rev().map(|role| view! {
                                <option value=role.as_str()>{move || role_name(role)}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <button type="submit" class="primary">{t!(i18n, people.add.submit)}</button>
                </ActionForm>
                <ErrorNotice error=add_error />
                {move || added().map(|added| view! {
                    <div class="notice notice-success" role="status">
                        <p>{t!(i18n, people.add.added, name = added.person.name)}</p>
                        <code class="secret one-time-password">{added.one_time_password}</code>
                    </div>
                })}
            </section>
            <section aria-label=move || t_string!(i18n, people.everyone)>
                <ErrorNotice error=update_error />
                {move || was_reset().then(|| view! {
                    <p class="notice notice-success" role="status">
                        {t!(i18n, people.two_factor_reset)}
                    </p>
                })}
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || {
                        let me = me.clone();
                        Suspend::new(async move {
                            match people.await {
                                Ok(list) => view! { <PeopleTable people=list me update reset /> }.into_any(),
                                Err(error) => view! {
                                    <p class="notice notice-error" role="alert">{error.message}</p>
                                }.into_any(),
                            }
                        })
                    }}
                </Transition>
            </section>
        </main>
    }
}

#[component]
fn PeopleTable(
    people: Vec<Person>,
    me: Me,
    update: ServerAction<UpdatePerson>,
    reset: ServerAction<ResetTotp>,
) -> impl IntoView {
    let i18n = use_i18n();
    let rows = people
        .into_iter()
        .map(|person| {
            let id = person.id;
            let is_me = person.id == me.id;
            let active = person.active;
            let change_role = move |event| {
                let role = Role::parse(&event_target_value(&event));
                update.dispatch(UpdatePerson {
                    id,
                    changes: PersonChanges {
                        role,
                        ..PersonChanges::default()
                    },
                });
            };
            let trainee = person.trainee;
            let toggle_trainee = move |_| {
                update.dispatch(UpdatePerson {
                    id,
                    changes: PersonChanges {
                        trainee: Some(!trainee),
                        ..PersonChanges::default()
                    },
                });
            };
            let toggle_active = move |_| {
                update.dispatch(UpdatePerson {
                    id,
                    changes: PersonChanges {
                        active: Some(!active),
                        ..PersonChanges::default()
                    },
                });
            };
            let name = person.name.clone();
            view! {
                <tr
                    data-email=person.email.clone()
                    data-trainee=trainee.to_string()
                    class:inactive=!active
                >
                    <td>{person.name.clone()}</td>
                    <td>{person.email.clone()}</td>
                    <td>
                        <select
                            aria-label=move || t_string!(i18n, people.role_of, name = name.clone()).to_string()
                            on:change=change_role
                            disabled=is_me
                        >
                            {Role::ALL.into_iter().map(|role| view! {
                                <option value=role.as_str() selected=role == person.role>
                                    {move || role_name(role)}
                                </option>
                            }).collect_view()}
                        </select>
                    </td>
                    <td>{if active { t!(i18n, people.active).into_any() } else { t!(i18n, people.deactivated).into_any() }}</td>
                    <td class="trainee">
                        <label title=move || t_string!(i18n, people.trainee_hint)>
                            <input
                                type="checkbox"
                                class="trainee-toggle"
                                checked=trainee
                                on:change=toggle_trainee
                            />
                            " " {t!(i18n, people.needs_approval)}
                            <span class="visually-hidden">{format!(" ({})", person.name)}</span>
                        </label>
                    </td>
                    <td>
                        <button type="button" on:click=toggle_active disabled=is_me>
                            {if active { t!(i18n, people.deactivate).into_any() } else { t!(i18n, people.reactivate).into_any() }}
                        </button>
                        <button
                            type="button"
                            on:click=move |_| { reset.dispatch(ResetTotp { id }); }
                            disabled=is_me
                        >
                            {t!(i18n, people.reset_two_factor)}
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="people">
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, people.columns.name)}</th>
                    <th scope="col">{t!(i18n, people.columns.email)}</th>
                    <th scope="col">{t!(i18n, people.columns.role)}</th>
                    <th scope="col">{t!(i18n, people.columns.status)}</th>
                    <th scope="col">{t!(i18n, people.columns.trainee)}</th>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, people.columns.actions)}</span></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
